//! The remote side of a joint batch: one POSIX `sh` script that runs every command of a batch
//! on one channel, each getting what it would get from sshd alone, and sends their results
//! back framed.
//!
//! Two round trips, whatever the batch: the channel open, then the exec request carrying the
//! whole script (the command lines are in it, as they are in one command's exec request)
//! and the reply. A command's own stdin (a device file's JSON: data, never a secret) travels
//! in the script too, as a `printf` format ([`printf_format`]), up to [`MAX_STDIN_IN_LINE`].
//! A sudo password, and stdin over that size, travel on the channel's stdin, never in argv
//! or on disk; OpenSSH's sshd grants a channel no window before it started the command, so
//! such a batch costs one round trip more.
//!
//! When some command has stdin on the channel, the script first reads that payload
//! ([`Script::payload`], `$1` bytes) with one `head -c` (a second reader of the same pipe
//! could lose bytes the first buffered; nothing follows the payload until the channel
//! closes, so one reader cannot) and `eval`s it: one `{ ... }` group assigning each such
//! command's stdin to `rs_iN` as a `printf` format, then `rs_ok=1`. A payload cut short by
//! a closing channel is a syntax error, or leaves `rs_ok` unset: nothing runs.
//!
//! Then the script ([`BODY`]):
//! - makes one `mktemp -d` directory and starts the lifeline: a subshell reading the
//!   channel's stdin, on which nothing more comes; its EOF means the channel closed
//!   (timeout, lost connection), and it ends the session's process group (every command of
//!   the batch, TERM then KILL) and removes the directory;
//! - runs each command in the user's home directory, with exactly its stdin bytes on a pipe
//!   (`printf`, a builtin) or /dev/null, exec'd by a subshell (no shell reports its death by
//!   a signal into its stderr). A line of quoted words ([`Command::words`], every line the
//!   transport sends) is exec'd by the script itself: the login shell that started the
//!   script read the user's startup files and set the environment the command inherits, so
//!   a second shell per command would only cost the Mac a process (a third of all it
//!   started for a batch). A word that names no command goes to `"${SHELL:-/bin/sh}" -c
//!   LINE` after all, for the user's shell's own "command not found"; other lines always do;
//! - sends its stdout and stderr straight into files, under a file-size limit (`ulimit -f`,
//!   in 512-byte blocks: the first block past [`MAX_OUTPUT`]): a flooding command is cut at
//!   the source (its write past the limit gets SIGXFSZ) and costs the Mac at most that on
//!   disk, with no process in between. A command's result is complete once its process has
//!   ended: what a background child of it writes after that is not waited for (sshd would
//!   hold the channel open for it), only bounded;
//! - runs at most [`AT_ONCE`] commands at a time (the rest start as others end), which
//!   bounds the processes and the disk a batch may take on the Mac;
//! - sends the results in groups (`frames`, after [`MAGIC`]): every second (`sleep 1`, for a
//!   batch of two or more), those of the commands that ended since the last group, and once
//!   all have ended, the rest.
//!   A group costs one `wc` and one `cat` for all its commands (a pair per command was the
//!   other third of the processes); the second's tick keeps what ended early safe from a
//!   command that hangs until the deadline. Sent files are truncated; the directory is
//!   removed at the end.
//!
//! Only sh builtins (`ulimit -f` and `-c` included: POSIX; `command -v`) and `cat`, `head`
//! (the stdin payload), `wc`, `mktemp`, `mkfifo`, `rm`, `kill`, `sleep` are used: macOS's
//! `/bin/sh` (bash 3.2 in POSIX mode) has them, as has dash. Every variable is named
//! `rs_*`, so no command sees its environment changed.

use rdma_phase::command::quote;
use zeroize::Zeroizing;

use super::exec::MAX_OUTPUT;
use super::printf::printf_format;

/// The first line of a joint batch's reply. What a login shell prints before it (a
/// `.zshenv` echoing something) is skipped.
pub const MAGIC: &[u8] = b"rdma-setup-batch 2\n";

/// Commands of one batch running at once on the Mac.
pub const AT_ONCE: usize = 8;

/// The script's name (its `$0`), recognisable in `ps` on the Mac.
const NAME: &str = "rdma-setup-batch";

/// The fixed part of the script; [`build`] defines `rs_n`, `rs_at_once`, `rs_max`,
/// `rs_blocks` (the file-size limit) and `rs_go` (which runs command `$1` as
/// `rs_job INDEX w|s LINE [STDIN-FORMAT]`, `w` for quoted words) before it. `$1` is the
/// stdin payload's length.
///
/// - fd 3 briefly holds the channel's stdin for the lifeline; everything else gets
///   /dev/null. fd 4 is the FIFO on which each job announces its end (`INDEX STATUS`) and
///   the timer its tick (`t`); opened read-write, so it never reads EOF between two writers;
///   one short line is one atomic write. Commands do not get it.
/// - `kill -TERM -$$` is the session's process group (sshd makes each session one, and the
///   exec line's `exec` made this shell its leader); the lifeline ignores TERM itself, so it
///   lives to clean up and send KILL. A timer's `sleep` left at the end exits within the
///   second; it holds none of the channel's streams.
/// - A command killed by a signal reports the shell's 128+N, as with `lifeline`.
/// - No shell that waits for a command writes into its captured stderr: dash prints a
///   foreground child's death by a signal ("Killed") on its own fd 2, and applies a simple
///   command's redirections in itself before it forks, so `CMD 2>E` would put that line in
///   E whenever dash reaps the command before its readers end (a race, lost under load).
///   `rs_run` therefore runs the command as a subshell (which redirects in the child and
///   `exec`s, leaving no shell in between) or as a pipeline's last part (likewise), and is
///   itself called with stderr to /dev/null, where the waiting shell's report goes (and the
///   message of a redirection that fails, which used to reach only the debug log). Not
///   `{ ( ... ) 2>E; } 2>/dev/null`: dash parses a group holding one subshell as that
///   subshell and replaces its redirections with the group's.
/// - Only files with bytes go to `wc` and `cat` (`test -s`, a builtin); a group of silent
///   commands costs neither. Sizes come back by file name, so `wc`'s `total` line and its
///   padding do not matter.
/// - Core dumps are off for the commands (`ulimit -c 0`): a flood ended by SIGXFSZ leaves
///   no core file behind.
const BODY: &str = r#"if [ "$1" -gt 0 ]; then
  eval "$(head -c "$1")"
  if [ "$rs_ok" != 1 ]; then
    echo "rdma-setup: the batch's stdin was cut short" >&2
    exit 125
  fi
fi
rs_run() {
  rs_l=$3 rs_x='exec "${SHELL:-/bin/sh}" -c "$rs_l"'
  if [ "$2" = w ]; then
    rs_x='eval "set -- $rs_l"; if command -v "$1" >/dev/null; then exec "$@"; fi; '$rs_x
  fi
  if [ $# -gt 3 ]; then
    printf "$4" 2>/dev/null | eval "$rs_x" >"$rs_f.o" 2>"$rs_f.e" 4>&-
  else
    ( eval "$rs_x" ) </dev/null >"$rs_f.o" 2>"$rs_f.e" 4>&-
  fi
}
rs_job() {
  rs_f=$rs_dir/$1
  ulimit -c 0
  ulimit -f $rs_blocks
  rs_run "$@" 2>/dev/null
  echo "$1 $?" >&4
}
rs_start() {
  rs_go $rs_next </dev/null >/dev/null &
  rs_next=$((rs_next + 1))
}
rs_more() {
  while :; do
    while [ $rs_next -lt $rs_end ] && [ $((rs_next - rs_done)) -lt $rs_at_once ]; do
      rs_start
    done
    if [ $rs_done -lt $rs_end ] || [ $rs_end -ge $rs_n ]; then return 0; fi
    if [ -n "$rs_bad" ]; then
      while [ $rs_next -lt $rs_n ]; do
        eval "rs_s_$rs_next=-"
        rs_pend="$rs_pend $rs_next"
        rs_next=$((rs_next + 1))
      done
      rs_done=$rs_n
      return 0
    fi
    rs_next_stage
  done
}
rs_next_stage() {
  rs_end=${rs_stages%%:*}
  rs_stages=${rs_stages#"$rs_end"}
  rs_stages=${rs_stages#:}
}
rs_tick() {
  ( sleep 1; echo t ) </dev/null >&4 2>/dev/null &
  rs_timer=$!
}
rs_flush() {
  rs_list=
  for rs_k in $rs_pend; do
    if [ -s "$rs_dir/$rs_k.o" ]; then rs_list="$rs_list $rs_k.o"; fi
    if [ -s "$rs_dir/$rs_k.e" ]; then rs_list="$rs_list $rs_k.e"; fi
  done
  if [ -n "$rs_list" ]; then
    set -- $(cd "$rs_dir" && exec wc -c $rs_list)
    while [ $# -ge 2 ]; do
      case $2 in [0-9]*.[oe]) eval "rs_z_${2%.*}${2#*.}=\$1" ;; esac
      shift 2
    done
  fi
  rs_count=0 rs_list=
  for rs_k in $rs_pend; do rs_count=$((rs_count + 1)); done
  echo "= $rs_count"
  for rs_k in $rs_pend; do
    eval "rs_o=\${rs_z_${rs_k}o:-0} rs_e=\${rs_z_${rs_k}e:-0} rs_s=\$rs_s_$rs_k"
    rs_c=0
    if [ "$rs_s" = - ]; then rs_s=0 rs_c=3; fi
    if [ "$rs_o" -gt $rs_max ]; then rs_c=1; elif [ "$rs_e" -gt $rs_max ]; then rs_c=2; fi
    if [ $rs_c -ne 0 ]; then
      rs_o=0 rs_e=0
    else
      if [ "$rs_o" -gt 0 ]; then rs_list="$rs_list $rs_k.o"; fi
      if [ "$rs_e" -gt 0 ]; then rs_list="$rs_list $rs_k.e"; fi
    fi
    echo "$rs_k $rs_s $rs_o $rs_e $rs_c"
  done
  if [ -n "$rs_list" ]; then (cd "$rs_dir" && exec cat $rs_list) || return 1; fi
  for rs_k in $rs_pend; do
    : >"$rs_dir/$rs_k.o"
    : >"$rs_dir/$rs_k.e"
  done
  rs_pend=
}
rs_dir=$(mktemp -d "${TMPDIR:-/tmp}/rdma-setup.XXXXXX") || {
  echo "rdma-setup: mktemp -d failed on this host" >&2
  exit 125
}
exec 3<&0 </dev/null
(
  while read -r rs_x; do :; done
  trap "" TERM
  kill -TERM -$$ 2>/dev/null || kill -TERM $$ 2>/dev/null
  rm -rf "$rs_dir"
  sleep 2
  rm -rf "$rs_dir"
  kill -KILL -$$ 2>/dev/null
) <&3 >/dev/null 2>&1 &
rs_life=$!
exec 3<&-
mkfifo "$rs_dir/q" && exec 4<>"$rs_dir/q" || exit 125
rs_next=0 rs_done=0 rs_pend= rs_timer= rs_bad=
rs_next_stage
echo rdma-setup-batch 2
rs_more
if [ $rs_n -gt 1 ]; then rs_tick; fi
while [ $rs_done -lt $rs_n ] && read rs_k rs_s <&4; do
  case $rs_k in
  t)
    if [ -n "$rs_pend" ]; then rs_flush || break; fi
    rs_tick
    ;;
  *[!0-9]* | "") ;;
  *)
    eval "rs_s_$rs_k=\$rs_s"
    rs_pend="$rs_pend $rs_k"
    rs_done=$((rs_done + 1))
    if [ "$rs_s" != 0 ]; then rs_bad=1; fi
    rs_more
    ;;
  esac
done
if [ -n "$rs_timer" ]; then kill $rs_timer 2>/dev/null; fi
if [ -n "$rs_pend" ]; then rs_flush; fi
kill $rs_life 2>/dev/null
rm -rf "$rs_dir"
"#;

/// One command of a batch: its line for the user's shell, and its stdin bytes. No `Debug`:
/// the stdin may be a sudo password.
#[derive(Clone, Copy)]
pub struct Command<'a> {
    pub line: &'a str,
    pub stdin: Option<&'a [u8]>,
    /// `stdin` is no secret (a device file's JSON, not a password): it may travel in the
    /// exec line, which the Mac's process list shows, so the batch needs no stdin and no
    /// round trip for it (up to [`MAX_STDIN_IN_LINE`] bytes).
    pub stdin_public: bool,
    /// `line` is one simple command of POSIX-quoted words (as `RemoteCommand` writes every
    /// line): the batch's own `sh` `exec`s it instead of starting the user's shell for it.
    pub words: bool,
}

/// The most stdin bytes of one command that travel in the exec line (4 characters a byte at
/// worst; macOS takes 1 MiB of arguments).
pub const MAX_STDIN_IN_LINE: usize = 16 * 1024;

/// What a joint batch sends: the exec line, then `payload` on stdin (empty when no command
/// has stdin) and nothing after it until the channel closes (no EOF: the lifeline takes EOF
/// for "the client is gone"). No `Debug`: the payload may hold a sudo password.
pub struct Script {
    pub line: String,
    pub payload: Zeroizing<Vec<u8>>,
    /// The script inside `line` (the tests run it under several shells).
    #[cfg(test)]
    text: String,
}

/// The script running `commands` at once; their frames name them by index.
#[cfg(test)]
pub fn build(commands: &[Command<'_>]) -> Script {
    build_staged(commands, &[])
}

/// The script running `commands` in stages: each index of `stage_starts` (increasing, inside
/// the batch) begins a stage that runs once every command before it has ended, and only if
/// each of them exited 0; otherwise its commands, and all after them, are not run (their
/// frames say so). The commands of a stage run at once.
pub fn build_staged(commands: &[Command<'_>], stage_starts: &[usize]) -> Script {
    let mut ends: Vec<usize> = stage_starts
        .iter()
        .copied()
        .filter(|&start| start > 0 && start < commands.len())
        .chain([commands.len()])
        .collect();
    ends.sort_unstable();
    ends.dedup();
    let ends: Vec<String> = ends.iter().map(usize::to_string).collect();
    let mut script = format!(
        "rs_n={} rs_at_once={AT_ONCE} rs_max={MAX_OUTPUT} rs_blocks={} rs_stages={}\nrs_go() {{\n  case $1 in\n",
        commands.len(),
        MAX_OUTPUT / 512 + 1,
        ends.join(":")
    );
    // It may hold a sudo password: built in place, wiped when dropped, never reallocated
    // (a reallocation would leave a copy behind).
    let room: usize = commands
        .iter()
        .filter_map(|command| command.stdin)
        .map(|stdin| stdin.len() * 4 + 32)
        .sum::<usize>()
        + 32;
    let mut payload = Zeroizing::new(String::with_capacity(room));
    for (index, command) in commands.iter().enumerate() {
        let how = if command.words { 'w' } else { 's' };
        script.push_str(&format!(
            "  {index}) rs_job {index} {how} {}",
            quote(command.line)
        ));
        match command.stdin.filter(|bytes| !bytes.is_empty()) {
            // The format holds no `'` (see `printf_format`).
            Some(stdin) if command.stdin_public && stdin.len() <= MAX_STDIN_IN_LINE => {
                script.push_str(&format!(" '{}'", printf_format(stdin)));
            }
            Some(stdin) => {
                script.push_str(&format!(" \"$rs_i{index}\""));
                let format = Zeroizing::new(printf_format(stdin));
                payload.push_str(&format!("rs_i{index}='"));
                payload.push_str(&format);
                payload.push_str("'\n");
            }
            None => {}
        }
        script.push_str(" ;;\n");
    }
    script.push_str("  esac\n}\n");
    script.push_str(BODY);
    let mut framed = Zeroizing::new(Vec::with_capacity(payload.len() + 16));
    if !payload.is_empty() {
        framed.extend_from_slice(b"{\n");
        framed.extend_from_slice(payload.as_bytes());
        framed.extend_from_slice(b"rs_ok=1\n}\n");
    }
    // `exec`: the script replaces the login shell, so it is the session's leader and `$$`
    // names the session's process group.
    let line = format!("exec /bin/sh -c {} {NAME} {}", quote(&script), framed.len());
    Script {
        line,
        payload: framed,
        #[cfg(test)]
        text: script,
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "script_words_tests.rs"]
mod words_tests;

#[cfg(test)]
#[path = "script_stages_tests.rs"]
mod stages_tests;

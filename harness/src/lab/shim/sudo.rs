//! `sudo` with the behaviour that matters over a non-interactive SSH channel: `-n`, `-S`,
//! `-p`, wrong passwords, no TTY. On success it execs the command with the root marker.

use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

use super::{HostContext, Reply, ROOT_MARKER};
use crate::macos::sudo::{incorrect_attempts, PASSWORD_REQUIRED, SORRY, TERMINAL_REQUIRED};

/// Real sudo gives three tries.
const ATTEMPTS: u32 = 3;

#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    non_interactive: bool,
    stdin: bool,
    prompt: Option<String>,
    command: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-n" | "--non-interactive" => options.non_interactive = true,
            "-S" | "--stdin" => options.stdin = true,
            "-p" | "--prompt" => options.prompt = Some(words.next().cloned().unwrap_or_default()),
            "-E" | "-H" | "-k" => {}
            "-u" => {
                if words.next().map(String::as_str) != Some("root") {
                    return Err("sudo: the lab only knows root\n".into());
                }
            }
            "--" => {
                options.command = words.cloned().collect();
                break;
            }
            other if other.starts_with("-p") => options.prompt = Some(other[2..].to_owned()),
            other if other.starts_with('-') && other.len() > 1 => {
                // Combined flags such as -nS.
                for flag in other[1..].chars() {
                    match flag {
                        'n' => options.non_interactive = true,
                        'S' => options.stdin = true,
                        'E' | 'H' | 'k' => {}
                        _ => return Err(format!("sudo: invalid option -- '{flag}'\n")),
                    }
                }
            }
            _ => {
                options.command = std::iter::once(word).chain(words).cloned().collect();
                break;
            }
        }
    }
    Ok(options)
}

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => return Reply::err(message, 1),
    };
    if options.command.is_empty() {
        return Reply::err("usage: sudo [-nS] [-p prompt] command\n", 1);
    }
    if context.sudo_hangs() {
        return super::rdma_ctl::hang(context);
    }
    if let Some(password) = context.sudo_password() {
        if options.non_interactive {
            return Reply::err(PASSWORD_REQUIRED, 1);
        }
        if !options.stdin {
            return Reply::err(TERMINAL_REQUIRED, 1);
        }
        if let Err(reply) = check_password(&password, options.prompt.as_deref()) {
            return reply;
        }
    }
    let (program, rest) = match options.command.split_first() {
        Some(split) => split,
        None => return Reply::err("usage: sudo command\n", 1),
    };
    let err = Command::new(program)
        .args(rest)
        .env(ROOT_MARKER, "1")
        .exec();
    let reason = if err.kind() == std::io::ErrorKind::NotFound {
        "command not found".to_owned()
    } else {
        err.to_string()
    };
    Reply::err(format!("sudo: {program}: {reason}\n"), 1)
}

/// Read password lines from stdin, one byte at a time so nothing past the password is
/// consumed (the command inherits the rest of stdin).
fn check_password(password: &str, prompt: Option<&str>) -> Result<(), Reply> {
    let Some(mut stdin) = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .map(std::fs::File::from)
    else {
        return Err(Reply::err(PASSWORD_REQUIRED, 1));
    };
    let prompt = prompt.unwrap_or("[sudo] password for root: ").to_owned();
    let mut stderr = String::new();
    let mut wrong = 0;
    while wrong < ATTEMPTS {
        stderr.push_str(&prompt);
        let Some(line) = read_line(&mut stdin) else {
            // Standard input is exhausted.
            if wrong == 0 {
                stderr.push_str("sudo: no password was provided\n");
                stderr.push_str(PASSWORD_REQUIRED);
            } else {
                stderr.push_str(&incorrect_attempts(wrong));
            }
            return Err(Reply::err(stderr, 1));
        };
        if line == password.trim_end_matches('\n') {
            eprint!("{stderr}");
            return Ok(());
        }
        wrong += 1;
        stderr.push_str(SORRY);
    }
    stderr.push_str(&incorrect_attempts(wrong));
    Err(Reply::err(stderr, 1))
}

fn read_line(stdin: &mut std::fs::File) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stdin.read(&mut byte) {
            Ok(0) | Err(_) => {
                return (!line.is_empty()).then(|| String::from_utf8_lossy(&line).into_owned())
            }
            Ok(_) if byte[0] == b'\n' => return Some(String::from_utf8_lossy(&line).into_owned()),
            Ok(_) => line.push(byte[0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_the_forms_the_tool_uses() {
        let options = parse(&words("-S -p '' ifconfig en5 up")).expect("parses");
        assert!(options.stdin);
        assert_eq!(options.command, words("ifconfig en5 up"));
        let options = parse(&words("-n true")).expect("parses");
        assert!(options.non_interactive);
        assert_eq!(options.command, words("true"));
        let options = parse(&words("-nS -- ls -l")).expect("parses");
        assert!(options.non_interactive && options.stdin);
        assert_eq!(options.command, words("ls -l"));
        assert!(parse(&words("-x true")).is_err());
    }
}

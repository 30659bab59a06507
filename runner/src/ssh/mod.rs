//! The libssh2 transport: one authenticated SSH session per host for the whole run.
//!
//! The runner builds one [`SshConnector`] from the command line and calls
//! [`SshConnector::connect`] once per host, each from its own thread. What a user's `ssh`
//! would do is what this does: the same config resolution (`ssh -G`), the same
//! known_hosts, the same keys (the ones the config names first, then the agent's, then the
//! other identity files), `ProxyJump`/`ProxyCommand`. Each step of a connection logs its
//! duration at debug level (`took=`), so `-v` shows where the round trips go.
//!
//! One concept per file:
//! - `options`: what the command line decides (timeouts, config file, host-key policy).
//! - `config`: `ssh -G` resolution of an alias into a `ResolvedHost`.
//! - `route`: one connection attempt: resolve, open the byte stream to the host (direct,
//!   `ProxyJump`, `ProxyCommand`), establish the session on it.
//! - `jump`, `proxy_command`: the two indirect routes.
//! - `stream`: the socket a session runs over and what keeps an indirect route running.
//! - `session`: stream -> handshake -> host key -> authentication.
//! - `known_hosts`: host-key verification.
//! - `identity`, `auth`: the user's keys (agent, identity files), and offering them in an
//!   order that costs few round trips.
//! - `wait`: sleeping on a non-blocking session's socket, with a deadline.
//! - `exec`: what running a command can yield (errors, the output cap, stdin's end).
//! - `channel`: one command's channel as a state machine that never blocks.
//! - `batch`: a round's one channel (a command alone, or a joint batch's script), served
//!   from a poll loop that never blocks.
//! - `spare`: the channel opened ahead of the next round, so a round costs one round trip.
//! - `lifeline`: the remote wrapper that ends a command when its channel closes.
//! - `joint`: several commands as ONE exec on one channel, one round trip whatever their
//!   number (two when the spare was not open in time); `script` is the remote `sh` script
//!   that runs them at once (bounded, ended with its channel), `printf` carries the
//!   commands' stdin bytes inside it, `frames` splits its framed reply into one result per
//!   command.
//! - `sudo`: privileged commands (probe, password, wrong-password detection).
//! - `rounds`: what each round of a batch sends, and what sudo's answers change.
//! - `proxy`: the old tool's `--proxy PROXY:TARGET` form.
//! - `prompt`: terminal prompts (sudo password, key passphrase), serialized across hosts.
//! - `hints`: the user-facing error texts.
//! - `transport`, `connector`: the [`rdma_phase::Transport`] (every call a batch, round
//!   trips counted: one command alone through `lifeline`, several through `joint`) and its
//!   factory.
//!
//! No file imports a file that imports it back: `connector` uses `route` and `transport`;
//! `route` uses `jump`, `proxy_command` and `session`; `jump` and `transport` run on a
//! `session`'s `Established`; `session` uses `stream`, `known_hosts` and `auth` (which uses
//! `identity`); `transport` uses `rounds` (which uses `sudo`), `joint` and `batch`; `joint`
//! uses `script`, `frames` and `batch`, `batch` uses `channel` and `spare`, all use `exec`;
//! `config` and the rest sit below.

mod auth;
mod base64;
mod batch;
mod channel;
mod config;
mod connector;
mod exec;
mod frames;
mod hints;
mod host_address;
mod identity;
mod joint;
mod jump;
mod known_hosts;
mod lifeline;
mod options;
mod printf;
mod prompt;
mod proxy;
mod proxy_command;
mod rounds;
mod route;
mod script;
mod session;
mod spare;
mod stream;
mod sudo;
mod transport;
mod wait;

pub use connector::SshConnector;
pub use host_address::{host_address, HostAddressError};
pub use options::SshOptions;
pub use prompt::{PromptError, Secret, SecretPrompt, TtyPrompt};
pub use sudo::SUDO_PASSWORD_ENV;
pub use transport::SshTransport;

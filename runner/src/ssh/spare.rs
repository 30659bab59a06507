//! The spare channel: one channel open (or opening) ahead of the round that will use it, so
//! a round costs the exec's round trip alone, not an open's first.
//!
//! libssh2 keeps a channel open's state on the session, one open at a time: whoever calls
//! `channel_session` next goes on with the open in flight. So the session has at most one
//! pending open, and [`Spare`] owns it. It is started right after the session is
//! established ([`Spare::start`]); a round takes it ([`Spare::take`]), waiting for it if it is
//! not open yet (as a fresh open would), and once the round's channel has its exec out, the
//! batch loop starts the next spare ([`Spare::advance`]), whose round trip then overlaps the
//! round's own.
//!
//! Never in the way:
//! - Nothing waits for a spare but the round that takes it; the batch loop ends when its
//!   channels do, with the next spare still opening if its answer is not in yet.
//! - A spare the server refuses (`MaxSessions` reached while the round's channel is open)
//!   or whose open failed is not asked for again until the next round; that round opens its
//!   own channel, as without a spare. A failed spare never fails the session: if the session
//!   broke, the round's channel finds out by itself.
//! - The spare's open goes out only when the socket takes writes, so its request is never
//!   left half written under a channel's stdin (libssh2 wants a half-written packet finished
//!   before anything else is sent).
//! - [`Spare::close`] closes an open spare when the transport is dropped, without waiting
//!   for the server's answer.

use std::os::fd::BorrowedFd;
use std::time::Instant;

use ssh2::{Channel, Session};

use super::channel::CLOSE_GRACE;
use super::wait::{outbound_blocked, wait_session, would_block};

enum State {
    /// No open in flight; the batch loop starts one.
    Idle,
    /// The open request is out (or about to be): its answer is awaited. `ahead` when it was
    /// asked for as a spare; otherwise a round asked for it and its failure is the round's.
    Opening { ahead: bool },
    /// Open and unused.
    Ready(Channel),
    /// The last spare open was refused or failed: none until the next round takes a channel.
    Failed,
}

/// The session's spare channel (see the module docs).
pub struct Spare {
    state: State,
}

impl Spare {
    /// Start opening a spare on a freshly established `session` (made non-blocking here).
    pub fn start(session: &Session) -> Self {
        session.set_blocking(false);
        let mut spare = Self { state: State::Idle };
        spare.advance(session);
        spare
    }

    /// Start opening a spare, or go on with the one opening; whether anything happened.
    /// For the batch loop when no job waits for a channel.
    pub fn advance(&mut self, session: &Session) -> bool {
        match self.state {
            State::Idle if !outbound_blocked(session) => self.poll(session),
            State::Opening { .. } => self.poll(session),
            State::Idle | State::Ready(_) | State::Failed => false,
        }
    }

    /// A channel for a round: the spare if it is open; otherwise the open in flight (or a
    /// fresh one) goes on, `Ok(None)` until its answer is in. A spare open that fails is
    /// followed by a fresh open at once, whose error (if any) is the round's, as without a
    /// spare.
    pub fn take(&mut self, session: &Session) -> Result<Option<Channel>, ssh2::Error> {
        let ahead = matches!(self.state, State::Opening { ahead: true });
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Ready(channel) => return Ok(Some(channel)),
            State::Idle | State::Opening { .. } | State::Failed => {}
        }
        match session.channel_session() {
            Ok(channel) => Ok(Some(channel)),
            Err(error) if would_block(&error) => {
                // An open a round waits on stays the spare's if it was.
                self.state = State::Opening { ahead };
                Ok(None)
            }
            Err(error) if ahead => {
                tracing::debug!(%error, "the spare channel failed to open; opening another");
                self.take(session)
            }
            Err(error) => Err(error),
        }
    }

    /// Close an open spare; a spare still opening is left to the session's end.
    pub fn close(mut self, session: &Session, socket: BorrowedFd<'_>) {
        if matches!(self.state, State::Opening { .. }) {
            self.poll(session);
        }
        let State::Ready(mut channel) = self.state else {
            return;
        };
        let until = Instant::now() + CLOSE_GRACE;
        loop {
            match channel.close() {
                Ok(()) => return,
                // The close is out once libssh2 only waits to read the server's answer.
                Err(error) if would_block(&error) && outbound_blocked(session) => {
                    if wait_session(session, socket, until).is_err() {
                        return;
                    }
                }
                Err(error) if would_block(&error) => return,
                Err(error) => {
                    tracing::debug!(%error, "closing the spare channel");
                    return;
                }
            }
        }
    }

    /// Ask libssh2 about the open in flight (sending it if none is).
    fn poll(&mut self, session: &Session) -> bool {
        match session.channel_session() {
            Ok(channel) => {
                tracing::trace!("spare channel open");
                self.state = State::Ready(channel);
                true
            }
            Err(error) if would_block(&error) => {
                // A round's own open it goes on with stays the round's.
                if !matches!(self.state, State::Opening { .. }) {
                    self.state = State::Opening { ahead: true };
                }
                false
            }
            Err(error) => {
                tracing::debug!(%error, "no spare channel; the next round opens its own");
                self.state = State::Failed;
                true
            }
        }
    }
}

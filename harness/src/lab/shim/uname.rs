//! `uname`: Darwin, named after the host's UTS hostname.
//!
//! This shadows the real `uname` for everything a session runs, so nothing the lab itself
//! needs (sshd, the keeper, the other shims) may call `uname` through PATH; none does.

use super::{HostContext, Reply};
use crate::macos::{darwin_nodename, uname, uname_illegal_option, UnameFields, UNAME_USAGE};

pub fn run(context: &HostContext, args: &[String]) -> Reply {
    let mut fields = UnameFields::default();
    for arg in args {
        // BSD uname takes only options; any operand is a usage error.
        let Some(options) = arg.strip_prefix('-').filter(|options| !options.is_empty()) else {
            return Reply::err(UNAME_USAGE, 1);
        };
        for option in options.chars() {
            if !fields.select(option) {
                let (stderr, code) = uname_illegal_option(option);
                return Reply::err(stderr, code);
            }
        }
    }
    // The context matched the UTS hostname to this host, so its name is the hostname.
    Reply::out(uname(fields, &darwin_nodename(&context.host.name)))
}

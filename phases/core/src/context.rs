//! What a phase sees while it runs: the plan, where it runs, and a gated transport.

use serde::Serialize;

use crate::plan::{ClusterPlan, Host, HostId, NodeId, NodeSpec};
use crate::{CommandOutput, RemoteCommand, SharedReads, Transport, TransportError};

/// How the run treats changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Read, change what is wrong, verify.
    Apply,
    /// Read only: changes are reported as pending and never sent (no sudo at all).
    Check,
    /// Send nothing: list what a run would send to a Mac just after a reboot
    /// ([`crate::Phase::dry_run`]).
    DryRun,
}

/// The result of asking for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The command ran (or, in dry-run, was simulated); here is its output.
    Ran(CommandOutput),
    /// Check mode: the command was not sent.
    NotSent,
}

/// A command as it was (or would have been) launched, for dry-run and verbose output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCommand {
    /// `ssh HOST COMMAND`, as the transport describes it.
    pub line: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin: Option<String>,
    /// False for a change that check mode held back.
    pub sent: bool,
}

/// One phase's view of one host (and, for node phases, one node spec on it).
pub struct Context<'a> {
    plan: &'a ClusterPlan,
    host: HostId,
    node: Option<NodeId>,
    mode: Mode,
    transport: &'a mut dyn Transport,
    issued: Vec<IssuedCommand>,
    /// Changes held back (check mode, dry-run), for a run that sends them itself.
    held: Vec<RemoteCommand>,
    /// Hosts the cluster phases cannot count on, and why.
    absent: &'a [(HostId, Absent)],
    /// Nodes whose own setup still has a change to make (in `--check`).
    pending: &'a [NodeId],
    /// Every host's answers to the phases' shared reads.
    shared: Option<&'a SharedReads>,
    /// Nodes whose later phases did not run, and the phase that stopped them.
    stopped: &'a [(NodeId, &'static str)],
}

/// Why a host took no part in the run's cluster phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// No session could be opened, or it broke.
    Unreachable,
    /// Another rdma-setup run was changing it (its lock was held).
    Busy,
}

impl<'a> Context<'a> {
    pub fn new(
        plan: &'a ClusterPlan,
        host: HostId,
        node: Option<NodeId>,
        mode: Mode,
        transport: &'a mut dyn Transport,
    ) -> Self {
        Self {
            plan,
            host,
            node,
            mode,
            transport,
            issued: Vec::new(),
            held: Vec::new(),
            absent: &[],
            pending: &[],
            shared: None,
            stopped: &[],
        }
    }

    /// Tell a cluster phase which nodes a phase stopped ([`crate::Outcome::stops_node`]):
    /// their ports were left alone, so a cable with such an end cannot be tested.
    #[must_use]
    pub fn with_stopped(self, nodes: &'a [(NodeId, &'static str)]) -> Self {
        Self {
            stopped: nodes,
            ..self
        }
    }

    /// The phase that stopped `node`'s setup, if one did.
    pub fn stopped_by(&self, node: NodeId) -> Option<&'static str> {
        self.stopped
            .iter()
            .find_map(|(stopped, by)| (*stopped == node).then_some(*by))
    }

    /// Give the phase every host's answers to the shared reads ([`crate::Phase::shared_reads`]).
    #[must_use]
    pub fn with_shared(self, shared: &'a SharedReads) -> Self {
        Self {
            shared: Some(shared),
            ..self
        }
    }

    /// What `host` answered to a shared read; `None` when it gave no answer (unreachable, the
    /// read failed in transport, or the run gathered no shared reads: a dry-run).
    pub fn shared(&self, host: HostId, command: &RemoteCommand) -> Option<&'a CommandOutput> {
        self.shared?.get(host, command)
    }

    /// Tell a cluster phase which hosts took no part, so that it does not blame a cable for
    /// a Mac that is down or busy.
    #[must_use]
    pub fn with_absent(self, hosts: &'a [(HostId, Absent)]) -> Self {
        Self {
            absent: hosts,
            ..self
        }
    }

    /// Tell a cluster phase which nodes still have a change to make (known once every host
    /// has run its node phases), so that a cable towards one is not blamed for it.
    #[must_use]
    pub fn with_pending(self, nodes: &'a [NodeId]) -> Self {
        Self {
            pending: nodes,
            ..self
        }
    }

    /// Whether `node`'s own setup still has a change to make (its address, say): a cable
    /// with that end cannot answer yet, from either end.
    pub fn is_pending(&self, node: NodeId) -> bool {
        self.pending.contains(&node)
    }

    /// Why `host` took no part in this run, if it did not.
    pub fn absent(&self, host: HostId) -> Option<Absent> {
        self.absent
            .iter()
            .find_map(|(absent, why)| (*absent == host).then_some(*why))
    }

    pub fn plan(&self) -> &'a ClusterPlan {
        self.plan
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn host_id(&self) -> HostId {
        self.host
    }

    pub fn host(&self) -> &'a Host {
        self.plan.host(self.host)
    }

    pub fn node_id(&self) -> Option<NodeId> {
        self.node
    }

    /// The node spec a node phase runs for; `None` for host and cluster phases.
    pub fn node(&self) -> Option<&'a NodeSpec> {
        self.node.map(|id| self.plan.node(id))
    }

    /// Run a command that only reads state. A command declared as changing the host is
    /// refused here, so a phase cannot slip a change past check mode by calling `read`.
    pub fn read(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        if command.changes_host() {
            return Err(refused_as_read(self.transport.host(), command));
        }
        self.send(command)
    }

    /// Run reads that measure the real world (the pings of every cable of a host), all at
    /// once, so a dead cable costs its timeout once. In dry-run there is no world to
    /// measure: the commands are listed but not simulated, and `None` comes back for each.
    pub fn probe_many(
        &mut self,
        commands: &[RemoteCommand],
    ) -> Result<Vec<Option<CommandOutput>>, TransportError> {
        for command in commands {
            self.issued.push(IssuedCommand {
                line: self.transport.describe(command),
                stdin: None,
                sent: self.mode != Mode::DryRun,
            });
        }
        if self.mode == Mode::DryRun {
            return Ok(vec![None; commands.len()]);
        }
        if let Some(change) = commands.iter().find(|command| command.changes_host()) {
            return Err(refused_as_read(self.transport.host(), change));
        }
        self.transport
            .run_many(commands)
            .into_iter()
            .map(|result| result.map(Some))
            .collect()
    }

    /// List a read that a real run would send, without sending it (`--dry-run`).
    pub fn would_read(&mut self, command: &RemoteCommand) {
        self.issued.push(IssuedCommand {
            line: self.transport.describe(command),
            stdin: None,
            sent: false,
        });
    }

    /// Ask for a change. In check mode and dry-run nothing is sent and [`Applied::NotSent`]
    /// comes back; this is the one place where changes are held back.
    pub fn change(&mut self, command: &RemoteCommand) -> Result<Applied, TransportError> {
        if matches!(self.mode, Mode::Check | Mode::DryRun) {
            self.issued.push(IssuedCommand {
                line: self.transport.describe(command),
                stdin: command.stdin().map(str::to_owned),
                sent: false,
            });
            self.held.push(command.clone());
            return Ok(Applied::NotSent);
        }
        self.send(command).map(Applied::Ran)
    }

    fn send(&mut self, command: &RemoteCommand) -> Result<CommandOutput, TransportError> {
        self.issued.push(IssuedCommand {
            line: self.transport.describe(command),
            stdin: command.stdin().map(str::to_owned),
            sent: true,
        });
        self.transport.run(command)
    }

    /// The commands this phase issued, in order.
    pub fn into_issued(self) -> Vec<IssuedCommand> {
        self.issued
    }

    /// The commands this phase issued, and the changes it was held back from sending.
    pub fn into_parts(self) -> (Vec<IssuedCommand>, Vec<RemoteCommand>) {
        (self.issued, self.held)
    }
}

fn refused_as_read(host: &str, command: &RemoteCommand) -> TransportError {
    TransportError::Refused {
        host: host.to_owned(),
        command: command.shell_line(),
        reason: "a command that changes the host was issued as a read".to_owned(),
        hint: "this is a bug in the phase: please report it".to_owned(),
    }
}

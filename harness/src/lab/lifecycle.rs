//! A lab's life: building one (`Lab::up`), using one started earlier, keeping it past this
//! process, and removing it, and the list of labs on this machine.

use super::instance::Lab;
use super::quirks::QuirkySpec;
use super::state::{base_dir, LabState};
use super::{files, locate, naming, preflight, roster, teardown, LabError};

impl Lab {
    /// Build a lab from a [`LabSpec`](super::LabSpec), or a [`QuirkySpec`] for messier
    /// Macs. Fails loudly, naming what is missing, when the machine cannot host one.
    pub fn up(spec: impl Into<QuirkySpec>) -> Result<Self, LabError> {
        let spec: QuirkySpec = spec.into();
        preflight::check()?;
        spec.validate()?;
        let shim = locate::shim()?;
        teardown::reap_orphans();
        // sshd's privilege-separation directory: systemd's tmpfiles makes it on a normal
        // boot, a container or CI machine fresh from `apt-get install` may not have it.
        files::mkdir(std::path::Path::new(preflight::PRIVSEP_DIR), 0o755)?;
        let base = base_dir();
        files::mkdir(&base, 0o755)?;
        let name = loop {
            let candidate = naming::fresh_name();
            if !base.join(&candidate).exists() {
                break candidate;
            }
        };
        let dir = base.join(&name);
        files::mkdir(&dir, 0o755)?;
        let mut lab = Self {
            state: LabState {
                switch_ns: naming::switch_ns(&name),
                controller_ns: naming::controller_ns(&name),
                name,
                dir,
                owner_pid: Some(std::process::id()),
                started_by: Some(roster::whoami()),
                started_at: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()
                    .map(|since| since.as_secs()),
                scenario: Some(spec.describe()),
                hosts: Vec::new(),
            },
            children: Vec::new(),
            kept: false,
        };
        lab.state.save()?;
        // On error `lab` drops here and takes whatever was built with it.
        lab.build(&spec, &shim)?;
        Ok(lab)
    }

    /// Use a lab started earlier (by `cargo xtask lab up`). Dropping it leaves it running.
    pub fn attach(name: &str) -> Result<Self, LabError> {
        let state = LabState::load(&base_dir().join(name))?;
        Ok(Self {
            state,
            children: Vec::new(),
            kept: true,
        })
    }

    /// Leave the lab running after this value is dropped; `Lab::down_by_name` removes it.
    pub fn keep(mut self) -> Result<LabState, LabError> {
        self.kept = true;
        self.state.owner_pid = None;
        self.state.save()?;
        Ok(self.state.clone())
    }

    /// Tear down now and report problems (dropping does the same, silently).
    pub fn down(mut self) -> Result<(), LabError> {
        self.kept = true;
        let result = teardown::teardown(&self.state.name);
        self.reap_children();
        result
    }

    /// Remove a lab by name; removing one that does not exist (any more) succeeds. A name
    /// `lab up` could not have given (`..`, `a/b`) is refused: see [`Lab::exists`].
    pub fn down_by_name(name: &str) -> Result<(), LabError> {
        naming::check_lab_name(name)?;
        teardown::teardown(name)
    }

    /// Whether anything of the named lab is on this machine (its directory or a namespace).
    pub fn exists(name: &str) -> Result<bool, LabError> {
        naming::check_lab_name(name)?;
        Ok(teardown::exists(name))
    }

    /// Names of the labs recorded on this machine.
    pub fn list() -> Vec<String> {
        teardown::all_labs()
    }
}

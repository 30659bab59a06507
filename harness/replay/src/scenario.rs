//! A scenario folder: the command line it was recorded with and one transcript per host.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{transcript, Transcript, TranscriptError};

/// The file holding the recorded command line; `#` lines before it describe the scenario.
const COMMAND_FILE: &str = "command";
const HOSTS_DIR: &str = "hosts";
const TRANSCRIPT_EXTENSION: &str = "transcript";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// What the scenario shows, from the `#` lines of the command file.
    pub description: String,
    /// The recorded arguments, without the program name.
    pub args: Vec<String>,
    /// Host name (as on the command line) -> what it received.
    pub transcripts: BTreeMap<String, Transcript>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write scenario file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the command line has unbalanced quotes")]
    Command { path: PathBuf },
    #[error("{path}:{source}")]
    Transcript {
        path: PathBuf,
        source: TranscriptError,
    },
}

impl Scenario {
    pub fn load(dir: &Path) -> Result<Self, ScenarioError> {
        let command_path = dir.join(COMMAND_FILE);
        let command = read(&command_path)?;
        let mut description = Vec::new();
        let mut words = Vec::new();
        for line in command.lines() {
            if let Some(comment) = line.strip_prefix('#') {
                description.push(comment.trim());
            } else if !line.trim().is_empty() {
                words.extend(shlex::split(line).ok_or_else(|| ScenarioError::Command {
                    path: command_path.clone(),
                })?);
            }
        }

        let hosts_dir = dir.join(HOSTS_DIR);
        let listing = fs::read_dir(&hosts_dir).map_err(|source| ScenarioError::Read {
            path: hosts_dir.clone(),
            source,
        })?;
        let mut transcripts = BTreeMap::new();
        for item in listing {
            let path = item
                .map_err(|source| ScenarioError::Read {
                    path: hosts_dir.clone(),
                    source,
                })?
                .path();
            if path.extension().and_then(|e| e.to_str()) != Some(TRANSCRIPT_EXTENSION) {
                continue;
            }
            let Some(host) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            let transcript = Transcript::parse(&read(&path)?)
                .map_err(|source| ScenarioError::Transcript { path, source })?;
            transcripts.insert(host, transcript);
        }
        Ok(Self {
            description: description.join("\n"),
            args: words,
            transcripts,
        })
    }

    pub fn save(&self, dir: &Path) -> Result<(), ScenarioError> {
        let hosts_dir = dir.join(HOSTS_DIR);
        fs::create_dir_all(&hosts_dir).map_err(|source| ScenarioError::Write {
            path: hosts_dir.clone(),
            source,
        })?;
        let mut command = String::new();
        for line in self.description.lines() {
            command.push_str(&format!("# {line}\n"));
        }
        command.push_str(&rdma_phase::command::join_quoted(&self.args));
        command.push('\n');
        write(&dir.join(COMMAND_FILE), &command)?;
        for (host, transcript) in &self.transcripts {
            let path = hosts_dir.join(format!("{host}.{TRANSCRIPT_EXTENSION}"));
            write(&path, &transcript.render())?;
        }
        Ok(())
    }
}

fn read(path: &Path) -> Result<String, ScenarioError> {
    transcript::read_file(path).map_err(|source| ScenarioError::Read {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), ScenarioError> {
    fs::write(path, text).map_err(|source| ScenarioError::Write {
        path: path.to_owned(),
        source,
    })
}

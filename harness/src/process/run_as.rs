//! Dropping root privileges for services that refuse to run as root
//! (`initdb` and `postgres` do).

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use nix::unistd::{Gid, Uid, User, chown};

use super::error::ProcessError;

/// The system user a spawned service runs as.
#[derive(Clone, Debug)]
pub struct RunAs {
    name: String,
    uid: Uid,
    gid: Gid,
    home: std::path::PathBuf,
}

impl RunAs {
    /// When the harness runs as root, the system user `name` (which must
    /// exist); otherwise `None`: the service runs as the current user.
    pub fn system_user_if_root(name: &str) -> Result<Option<Self>, ProcessError> {
        if !Uid::effective().is_root() {
            return Ok(None);
        }
        Self::named(name).map(Some)
    }

    /// The system user `name`.
    pub fn named(name: &str) -> Result<Self, ProcessError> {
        let user = User::from_name(name)
            .map_err(|errno| ProcessError::Os {
                what: format!("could not look up system user `{name}`"),
                source: errno.into(),
            })?
            .ok_or_else(|| ProcessError::UnknownUser {
                user: name.to_owned(),
            })?;
        Ok(Self {
            name: user.name,
            uid: user.uid,
            gid: user.gid,
            home: user.dir,
        })
    }

    /// The user's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Makes `command` run as this user (uid, gid, no supplementary groups)
    /// with `USER`, `LOGNAME` and `HOME` to match.
    pub fn apply(&self, command: &mut Command) {
        command
            .uid(self.uid.as_raw())
            .gid(self.gid.as_raw())
            .env("USER", &self.name)
            .env("LOGNAME", &self.name)
            .env("HOME", &self.home);
    }

    /// Gives `path` to this user, so the service can write there.
    pub fn chown(&self, path: &Path) -> Result<(), ProcessError> {
        chown(path, Some(self.uid), Some(self.gid)).map_err(|errno| ProcessError::Os {
            what: format!("could not give {} to user `{}`", path.display(), self.name),
            source: errno.into(),
        })
    }
}

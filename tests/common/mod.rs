//! Helpers shared by the tests that run the `refkeeper` binary.

// Each test crate uses a part of this module.
#![allow(dead_code)]

use assert_cmd::Command;

/// The binary, without the user's `NO_COLOR`.
pub fn refkeeper() -> Command {
    let mut command = Command::cargo_bin("refkeeper").unwrap();
    command.env_remove("NO_COLOR");
    command
}

/// A throw-away project: `files` are (relative path, bytes).
pub fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// What a run of the binary printed, and its exit status.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the command to its end (two minutes at most).
pub fn run(command: &mut Command) -> Run {
    let output = command
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

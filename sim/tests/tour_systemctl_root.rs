//! The tour's chapters that work below `/mnt/sysimage` with `systemctl --root` (a rescue system
//! repairing a disk), replayed in a real bash with the real `systemctl` of systemd 252:
//! `/mnt/sysimage` is moved into a scratch directory, and its path removed from the output.
//! Every command's output and status must match the chapter (wildcards allowed). This pins
//! those chapters' expected output to real systemd, whether or not the simulator can run them.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use std::process::Command;
use unitlab_sim::scenario::{self, Shell};
use unitlab_sim::tour;

const IMAGE: &str = "/mnt/sysimage";

struct Rescue {
    scratch: String,
}

impl Shell for Rescue {
    fn run(&mut self, command: &str) -> (String, i32) {
        let mapped = command.replace(IMAGE, &format!("{}{IMAGE}", self.scratch));
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 2>&1\n{mapped}\n"))
            .env("SYSTEMD_LOG_COLOR", "0")
            .output()
            .expect("run bash");
        (
            String::from_utf8_lossy(&out.stdout).replace(&self.scratch, ""),
            out.status.code().unwrap_or(-1),
        )
    }
}

#[test]
fn rescue_chapters_match_the_real_systemctl_root() {
    if !support::systemctl() {
        return;
    }
    let mut ran = 0;
    for c in tour::chapters() {
        let sc = &c.scenario;
        let only_image = sc.steps.iter().all(|st| st.command.contains(IMAGE));
        if !only_image {
            continue;
        }
        let dir =
            std::env::temp_dir().join(format!("unitlab-tour-{}-{}", c.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let mut shell = Rescue {
            scratch: dir.to_string_lossy().into_owned(),
        };
        let report = scenario::run(sc, &mut shell);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            report.ok(),
            "{}: real systemctl --root disagrees:\n{}",
            c.name,
            report.diff()
        );
        println!("ok {} ({} commands)", c.name, sc.steps.len());
        ran += 1;
    }
    assert!(ran > 0, "no chapter works below {IMAGE}");
}

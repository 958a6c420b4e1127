//! Unit tests for the rules of reference §2 (examples marked [verified] there, or checked against
//! `systemd-escape` 252 on this machine).

use super::*;

#[test]
fn scratch_hash() {
    let p = format!("/home/{}", "a".repeat(250));
    println!("{}", name_from_path(&p, UnitType::Mount).unwrap());
}

//! Quick look at the manager's behaviour (printed; assertions come in manager_runtime.rs).
mod manager_common;
use manager_common::Machine;

#[test]
fn smoke() {
    let mut m = Machine::new(&[
        ("t1.service", "[Unit]\nDescription=Test One\n[Service]\nExecStart=/bin/false\n"),
        ("t2.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n"),
        ("t3.service", "[Service]\nExecStart=/bin/sleep 1000\n"),
        ("dep.service", "[Service]\nExecStart=/bin/false\nType=oneshot\n"),
        ("top.service", "[Unit]\nDescription=Top\nRequires=dep.service\nAfter=dep.service\n[Service]\nExecStart=/bin/sleep 1000\n"),
        ("rf.service", "[Service]\nExecStart=/bin/false\nRestart=on-failure\n"),
        ("ra.service", "[Service]\nExecStart=/bin/true\nRestart=always\n"),
    ]);
    println!("{}", m.messages().join("\n"));
    for c in [
        "start t1",
        "status t1",
        "start t2",
        "status t2",
        "start t3",
        "status t3",
        "is-active t1 t2 t3",
        "start top",
        "status top dep",
        "start nope",
        "stop nope",
        "start rf ra",
    ] {
        let (o, code) = m.systemctl(c);
        println!("$ {c}\n{o}? {code}");
    }
    m.sleep(3_000_000);
    for c in [
        "show -p Result,ActiveState,SubState,NRestarts rf ra",
        "start ra",
        "list-units --all",
        "kill -s KILL t3",
        "status t3",
    ] {
        let (o, code) = m.systemctl(c);
        println!("$ {c}\n{o}? {code}");
    }
    println!("{}", m.messages().join("\n"));
    println!("violations: {:?}", m.manager.violations());
}

#[test]
fn restart_loop_settles() {
    let t = std::time::Instant::now();
    let mut m = Machine::new(&[
        (
            "a.service",
            "[Unit]\nUpholds=b.service\n[Service]\nExecStart=/usr/bin/daemon\n",
        ),
        (
            "b.service",
            "[Service]\nType=oneshot\nExecStart=/bin/false\nRestart=always\nRestartSec=300ms\n",
        ),
        (
            "c.service",
            "[Service]\nExecStart=/bin/sh -c 'sleep 2; exit 1'\nRestart=always\nRestartSec=300ms\n",
        ),
    ]);
    println!("{:?}", m.systemctl("start a c"));
    m.sleep(600_000_000);
    println!(
        "{:?} {:?} events={}",
        t.elapsed(),
        m.manager.violations(),
        m.manager.events_processed()
    );
    println!("{}", m.messages().len());
}

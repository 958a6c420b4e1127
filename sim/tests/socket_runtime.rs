//! Socket units in the simulated machine (issue 6): what the `user-socket-*` scenarios show on
//! the real systemd 252 user manager (blessed on 2026-11-24), checked here on the machine's
//! state (sub-states, results, counters, files) and for what a user-scope scenario cannot show:
//! the system manager, reboot, `sockets.target` at boot, the journal.
use unitlab_engine::load::Scope;
use unitlab_sim::machine::{Machine, Settings, ShellScope};

fn user_machine(files: &[(&str, &str)]) -> Machine {
    let mut m = Machine::new(Settings {
        scope: ShellScope::User,
        ..Settings::default()
    });
    m.run("mkdir -p ~/.config/systemd/user");
    for (name, text) in files {
        let (out, code) = m.run(&format!(
            "cat > ~/.config/systemd/user/{name} <<'EOF'\n{text}EOF"
        ));
        assert_eq!((out.as_str(), code), ("", 0), "{name}");
    }
    m.run("systemctl --user daemon-reload");
    m
}

fn run(m: &mut Machine, cmd: &str) -> (String, i32) {
    m.run(cmd)
}

fn state(m: &Machine, unit: &str) -> (String, String) {
    let mgr = m.manager(Scope::User);
    (
        mgr.active_state(unit).as_str().to_owned(),
        mgr.sub_state(unit).to_owned(),
    )
}

fn show(m: &mut Machine, props: &str, unit: &str) -> String {
    run(m, &format!("systemctl --user show -p {props} {unit}")).0
}

const DAEMON: &str = "[Service]\nExecStart=/usr/bin/python3 -c 'accept forever'\n";

// user-socket-accept-no: the first connection starts the service; the socket is `running` while
// it runs, `listening` again when it is stopped; the file stays after the socket stops.
#[test]
fn accept_no_starts_the_service_once() {
    let mut m = user_machine(&[
        ("a.socket", "[Socket]\nListenStream=%t/a.sock\n"),
        ("a.service", DAEMON),
    ]);
    assert_eq!(
        run(&mut m, "connect /run/user/1000/a.sock"),
        (
            "connect: /run/user/1000/a.sock: Connection refused\n".into(),
            1
        )
    );
    assert_eq!(run(&mut m, "systemctl --user start a.socket").1, 0);
    assert_eq!(state(&m, "a.socket"), ("active".into(), "listening".into()));
    let (ls, _) = run(&mut m, "ls -l /run/user/1000/a.sock");
    assert!(ls.starts_with("srw-rw-rw- 1 user user 0 "), "{ls}");
    assert_eq!(
        run(&mut m, "connect /run/user/1000/a.sock"),
        (String::new(), 0)
    );
    assert_eq!(state(&m, "a.service"), ("active".into(), "running".into()));
    assert_eq!(state(&m, "a.socket"), ("active".into(), "running".into()));
    // More connections go to the running daemon: no second start.
    run(&mut m, "connect /run/user/1000/a.sock");
    let starts = m
        .journal()
        .entries
        .iter()
        .filter(|e| e.message == "Started a.service.")
        .count();
    assert_eq!(starts, 1);
    assert_eq!(
        show(&mut m, "NAccepted,NConnections,Result", "a.socket"),
        "Result=success\nNConnections=0\nNAccepted=0\n"
    );
    run(&mut m, "systemctl --user stop a.service");
    assert_eq!(state(&m, "a.socket"), ("active".into(), "listening".into()));
    run(&mut m, "systemctl --user stop a.socket");
    assert_eq!(state(&m, "a.socket"), ("inactive".into(), "dead".into()));
    assert!(run(&mut m, "ls -l /run/user/1000/a.sock")
        .0
        .starts_with("srw-rw-rw-"));
    assert_eq!(run(&mut m, "connect /run/user/1000/a.sock").1, 1);
    assert!(m.manager(Scope::User).violations().is_empty());
}

// user-socket-accept-no: a daemon that was handed the listening socket keeps it open after the
// socket unit stops, so connections still succeed (and trigger nothing).
#[test]
fn the_service_keeps_the_socket_it_was_handed() {
    let mut m = user_machine(&[
        ("h.socket", "[Socket]\nListenStream=%t/h.sock\n"),
        ("h.service", DAEMON),
    ]);
    run(&mut m, "systemctl --user start h.socket");
    run(&mut m, "connect /run/user/1000/h.sock");
    run(&mut m, "systemctl --user stop h.socket");
    assert_eq!(
        run(&mut m, "connect /run/user/1000/h.sock"),
        (String::new(), 0)
    );
    assert_eq!(state(&m, "h.socket").0, "inactive");
    run(&mut m, "systemctl --user stop h.service");
    assert_eq!(run(&mut m, "connect /run/user/1000/h.sock").1, 1);
}

// user-socket-retrigger: a service that does not accept is started again and again while the
// connection waits, until its start limit (5 in 10 s); the socket then fails with
// `service-start-limit-hit` and refuses connections.
#[test]
fn unaccepted_connection_retriggers_until_the_start_limit() {
    let mut m = user_machine(&[
        ("r.socket", "[Socket]\nListenStream=%t/r.sock\n"),
        ("r.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    run(&mut m, "systemctl --user start r.socket");
    assert_eq!(run(&mut m, "connect /run/user/1000/r.sock").1, 0);
    run(&mut m, "sleep 1");
    assert_eq!(state(&m, "r.socket"), ("failed".into(), "failed".into()));
    assert_eq!(
        show(&mut m, "Result", "r.socket r.service"),
        "Result=service-start-limit-hit\n\nResult=start-limit-hit\n"
    );
    let starts = m
        .journal()
        .entries
        .iter()
        .filter(|e| e.message == "Started r.service.")
        .count();
    assert_eq!(starts, 5);
    assert!(m
        .journal()
        .entries
        .iter()
        .any(|e| e.message == "r.socket: Failed with result 'service-start-limit-hit'."));
    assert_eq!(run(&mut m, "connect /run/user/1000/r.sock").1, 1);
    // A failed service keeps its own result (exit-code) when the limit hits
    // (live: /bin/false behind a socket).
    let mut m = user_machine(&[
        ("f.socket", "[Socket]\nListenStream=%t/f.sock\n"),
        ("f.service", "[Service]\nExecStart=/bin/false\n"),
    ]);
    run(&mut m, "systemctl --user start f.socket");
    run(&mut m, "connect /run/user/1000/f.sock");
    run(&mut m, "sleep 1");
    assert_eq!(
        show(&mut m, "Result", "f.socket f.service"),
        "Result=service-start-limit-hit\n\nResult=exit-code\n"
    );
}

// user-socket-accept-yes: one instance per connection, `PREFIX@N-PID-UID.service`, described
// `PID N/UID M`; MaxConnections= drops the connection past the limit (`Refused:`).
#[test]
fn accept_yes_instances_and_max_connections() {
    let mut m = user_machine(&[
        (
            "y.socket",
            "[Socket]\nListenStream=%t/y.sock\nAccept=yes\nMaxConnections=2\n",
        ),
        (
            "y@.service",
            "[Unit]\nDescription=Echo\n[Service]\nExecStart=/bin/sleep 1\n",
        ),
    ]);
    run(&mut m, "systemctl --user start y.socket");
    for _ in 0..3 {
        assert_eq!(
            run(&mut m, "connect /run/user/1000/y.sock"),
            (String::new(), 0)
        );
    }
    let units = m.manager(Scope::User).loaded_units();
    let inst: Vec<&String> = units.iter().filter(|u| u.starts_with("y@")).collect();
    assert_eq!(inst.len(), 2, "{units:?}");
    let (first, second) = (inst[0].as_str(), inst[1].as_str());
    let pid_of = |n: &str| -> u32 {
        let mid = n.trim_end_matches("-1000.service");
        mid.rsplit('-')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("pid")
    };
    assert!(
        first.starts_with("y@0-") && first.ends_with("-1000.service"),
        "{first}"
    );
    assert!(second.starts_with("y@1-"), "{second}");
    let (desc, _) = run(
        &mut m,
        &format!("systemctl --user show -p Description {first}"),
    );
    assert_eq!(
        desc,
        format!("Description=Echo (PID {}/UID 1000)\n", pid_of(first))
    );
    assert_eq!(
        show(
            &mut m,
            "NAccepted,NConnections,NRefused,SubState",
            "y.socket"
        ),
        "NConnections=2\nNAccepted=2\nNRefused=1\nSubState=listening\n"
    );
    let (status, _) = run(&mut m, "systemctl --user status y.socket");
    assert!(
        status.contains("   Accepted: 2; Connected: 2;   Refused: 1\n"),
        "{status}"
    );
    run(&mut m, "sleep 1.2");
    assert_eq!(show(&mut m, "NConnections", "y.socket"), "NConnections=0\n");
    assert!(!m
        .manager(Scope::User)
        .loaded_units()
        .iter()
        .any(|u| u.starts_with("y@")));
}

// user-socket-accept-yes: the trigger limit fails the socket with `trigger-limit-hit`; the
// third connection still succeeds for the client, and RemoveOnStop= removes the file.
#[test]
fn trigger_limit_hit() {
    let mut m = user_machine(&[
        (
            "l.socket",
            "[Socket]\nListenStream=%t/l.sock\nAccept=yes\nTriggerLimitIntervalSec=30s\nTriggerLimitBurst=2\nRemoveOnStop=yes\n",
        ),
        ("l@.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    run(&mut m, "systemctl --user start l.socket");
    for _ in 0..3 {
        assert_eq!(run(&mut m, "connect /run/user/1000/l.sock").1, 0);
    }
    assert_eq!(state(&m, "l.socket"), ("failed".into(), "failed".into()));
    assert_eq!(
        show(&mut m, "Result,NAccepted,NRefused", "l.socket"),
        "Result=trigger-limit-hit\nNAccepted=2\nNRefused=1\n"
    );
    assert_eq!(run(&mut m, "ls /run/user/1000/l.sock").1, 2);
    assert_eq!(run(&mut m, "connect /run/user/1000/l.sock").1, 1);
}

// user-socket-masked-service: a service masked while its socket listens cannot be queued: the
// socket fails with `resources`; a template that is missing does the same for Accept=yes (live).
#[test]
fn unloadable_service_fails_the_socket_with_resources() {
    let mut m = user_machine(&[
        ("m.socket", "[Socket]\nListenStream=%t/m.sock\n"),
        ("n.socket", "[Socket]\nListenStream=%t/n.sock\nAccept=yes\n"),
    ]);
    run(&mut m, "mkdir -p ~/.local/share/systemd/user");
    run(
        &mut m,
        "cat > ~/.local/share/systemd/user/m.service <<'EOF'\n[Service]\nExecStart=/bin/sleep 100\nEOF",
    );
    run(&mut m, "systemctl --user daemon-reload");
    assert_eq!(run(&mut m, "systemctl --user start m.socket n.socket").1, 0);
    run(&mut m, "systemctl --user mask m.service");
    run(&mut m, "systemctl --user daemon-reload");
    assert_eq!(run(&mut m, "connect /run/user/1000/m.sock").1, 0);
    assert_eq!(run(&mut m, "connect /run/user/1000/n.sock").1, 0);
    assert_eq!(show(&mut m, "Result", "m.socket"), "Result=resources\n");
    assert_eq!(
        show(&mut m, "Result,NAccepted,NConnections", "n.socket"),
        "Result=resources\nNConnections=0\nNAccepted=1\n"
    );
    assert!(m.journal().entries.iter().any(|e| e.message
        == "m.socket: Failed to queue service startup job (Maybe the service file is missing or not a non-template unit?): Unit m.service is masked."));
    assert_eq!(state(&m, "m.service").0, "inactive");
}

// user-socket-kinds: datagram and FIFO files, their modes, and what a stream client gets.
#[test]
fn datagram_fifo_and_ports() {
    let mut m = user_machine(&[
        (
            "k.socket",
            "[Socket]\nListenDatagram=%t/k.dgram\nListenFIFO=%t/k.fifo\nListenStream=127.0.0.1:47312\n",
        ),
        ("k.service", "[Service]\nExecStart=/bin/sleep 100\n"),
    ]);
    run(&mut m, "systemctl --user start k.socket");
    let (ls, _) = run(&mut m, "ls -l /run/user/1000/k.dgram /run/user/1000/k.fifo");
    let modes: Vec<&str> = ls.lines().map(|l| &l[..10]).collect();
    assert_eq!(modes, ["srw-rw-rw-", "prw-r--r--"]);
    assert_eq!(
        run(&mut m, "connect /run/user/1000/k.dgram"),
        (
            "connect: /run/user/1000/k.dgram: Protocol wrong type for socket\n".into(),
            1
        )
    );
    assert_eq!(run(&mut m, "connect /run/user/1000/k.fifo").1, 1);
    assert_eq!(run(&mut m, "connect 47313").1, 1);
    assert_eq!(run(&mut m, "connect 127.0.0.2:47312").1, 1);
    assert_eq!(run(&mut m, "connect 47312"), (String::new(), 0));
    assert_eq!(state(&m, "k.service").1, "running");
    // A file replaced by an ordinary file is no socket any more.
    run(&mut m, "systemctl --user stop k.socket k.service");
    run(&mut m, "echo x > /run/user/1000/k.fifo");
    assert!(run(&mut m, "ls -l /run/user/1000/k.fifo")
        .0
        .starts_with("-rw-"));
}

// reference §5.4, issue 6 (boot): an enabled socket is listening after a reboot (sockets.target
// pulls it in), its file in /run made afresh; the system manager's sockets answer root's
// `connect` too.
#[test]
fn enabled_system_socket_listens_after_reboot() {
    let mut m = Machine::new(Settings::default());
    m.run("cat > /etc/systemd/system/web.socket <<'EOF'\n[Socket]\nListenStream=/run/web.sock\n[Install]\nWantedBy=sockets.target\nEOF");
    m.run(
        "cat > /etc/systemd/system/web.service <<'EOF'\n[Service]\nExecStart=/opt/web/bin/webd\nEOF",
    );
    assert_eq!(m.run("systemctl enable web.socket").1, 0);
    assert_eq!(m.run("connect /run/web.sock").1, 1);
    m.run("systemctl reboot");
    assert_eq!(
        m.manager(Scope::System).sub_state("web.socket"),
        "listening"
    );
    assert!(m
        .run("ls -l /run/web.sock")
        .0
        .starts_with("srw-rw-rw- 1 root root 0 "));
    assert_eq!(m.run("connect /run/web.sock"), (String::new(), 0));
    assert_eq!(m.manager(Scope::System).sub_state("web.service"), "running");
    let (out, _) = m.run("systemctl list-sockets");
    assert_eq!(
        out,
        "LISTEN        UNIT       ACTIVATES\n/run/web.sock web.socket web.service\n\n1 sockets listed.\nPass --all to see loaded but inactive sockets, too.\n"
    );
    assert!(m.manager(Scope::System).violations().is_empty());
}

// Live user manager (2026-11-24): the counters survive daemon-reload; a socket stopped (and
// collected) starts from zero.
#[test]
fn counters_survive_reload_not_collection() {
    let mut m = user_machine(&[
        ("c.socket", "[Socket]\nListenStream=%t/c.sock\nAccept=yes\n"),
        ("c@.service", "[Service]\nExecStart=/bin/true\n"),
    ]);
    run(&mut m, "systemctl --user start c.socket");
    run(&mut m, "connect /run/user/1000/c.sock");
    run(&mut m, "sleep 0.3");
    assert_eq!(show(&mut m, "NAccepted", "c.socket"), "NAccepted=1\n");
    run(&mut m, "systemctl --user daemon-reload");
    assert_eq!(show(&mut m, "NAccepted", "c.socket"), "NAccepted=1\n");
    run(&mut m, "systemctl --user stop c.socket");
    run(&mut m, "systemctl --user start c.socket");
    assert_eq!(show(&mut m, "NAccepted", "c.socket"), "NAccepted=0\n");
}

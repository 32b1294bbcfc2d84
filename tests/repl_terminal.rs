//! The interactive prompt on a terminal (a pseudo-terminal): rustyline's line editing and
//! history, Ctrl-C at the prompt (KeyboardInterrupt, a new prompt), Ctrl-D (the end, status
//! 0). Each key is sent only once the prompt it answers has been printed, so the test does
//! not depend on timing; every wait gives up after 20 seconds.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Terminal {
    master: std::fs::File,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of the screen the last wait consumed.
    seen: usize,
}

impl Terminal {
    /// Waits until `text` appears on the screen after what was seen already.
    fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        loop {
            {
                let screen = self.screen.lock().expect("the screen");
                let fresh = String::from_utf8_lossy(&screen[self.seen..]).into_owned();
                if let Some(i) = fresh.find(text) {
                    self.seen += fresh[..i + text.len()].len();
                    return;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited for {text:?}; the screen after the last wait:\n{}",
                String::from_utf8_lossy(&self.screen.lock().expect("the screen")[self.seen..])
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn type_keys(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).expect("typed");
        self.master.flush().expect("typed");
    }
}

#[test]
fn the_prompt_edits_lines_keeps_history_and_takes_ctrl_c_and_ctrl_d() {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let slave_path = ptsname(&master, Vec::new()).expect("ptsname");
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(slave_path.to_str().expect("a path"))
        .expect("the terminal's other end");
    let home = std::env::temp_dir().join(format!("minipy-repl-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("a home");
    let mut child = Command::new(env!("CARGO_BIN_EXE_minipy"))
        .arg("-q")
        .env("TERM", "xterm")
        .env("HOME", &home)
        .stdin(Stdio::from(slave.try_clone().expect("fd")))
        .stdout(Stdio::from(slave.try_clone().expect("fd")))
        .stderr(Stdio::from(slave))
        .spawn()
        .expect("minipy starts");
    let master = std::fs::File::from(master);
    let screen = Arc::new(Mutex::new(Vec::new()));
    let mut reader = master.try_clone().expect("fd");
    let sink = screen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Ends with an error (EIO) once minipy has closed the terminal.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("the screen")
                .extend_from_slice(&buf[..n]);
        }
    });
    let mut term = Terminal {
        master,
        screen,
        seen: 0,
    };
    term.wait_for(">>> ");
    // Backspace removes the `+`: 2*3.
    term.type_keys("2+\x7f*3\r");
    term.wait_for("6\r\n");
    term.wait_for(">>> ");
    // The up arrow brings the last line back.
    term.type_keys("\x1b[A");
    term.wait_for("2*3");
    term.type_keys("\r");
    term.wait_for("6\r\n");
    term.wait_for(">>> ");
    // Ctrl-C drops the line typed so far.
    term.type_keys("print('never')\x03");
    term.wait_for("KeyboardInterrupt\r\n");
    term.wait_for(">>> ");
    term.type_keys("for i in range(2):\r");
    term.wait_for("... ");
    term.type_keys("    i * 10\r");
    term.wait_for("... ");
    term.type_keys("\r");
    term.wait_for("0\r\n10\r\n");
    term.wait_for(">>> ");
    term.type_keys("1/0\r");
    term.wait_for("ZeroDivisionError: division by zero\r\n");
    term.wait_for(">>> ");
    // Ctrl-D ends the session.
    term.type_keys("\x04");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("minipy's status") {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "minipy did not end"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
    let screen = String::from_utf8_lossy(&term.screen.lock().expect("the screen")).into_owned();
    assert!(!screen.contains("never\r\n"), "{screen}");
    let history = std::fs::read_to_string(home.join(".minipy_history")).unwrap_or_default();
    assert!(history.contains("2*3"), "history: {history:?}");
    let _ = std::fs::remove_dir_all(&home);
}

//! A real SMTP server on loopback (mailin), receiving what lettre sends.

use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl ReceivedMail {
    fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.raw).expect("a parsable message")
    }

    pub fn header(&self, name: &str) -> String {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name).unwrap_or_default()
    }

    /// The decoded body of the part with this MIME type.
    pub fn part(&self, mime: &str) -> String {
        fn find(part: &mailparse::ParsedMail<'_>, mime: &str) -> Option<String> {
            if part.ctype.mimetype == mime {
                return part.get_body().ok();
            }
            part.subparts.iter().find_map(|sub| find(sub, mime))
        }
        find(&self.parsed(), mime).unwrap_or_default()
    }

    /// The first link in the text part that starts with `prefix` (a path like "/wachtwoord-instellen").
    pub fn link(&self, prefix: &str) -> String {
        let text = self.part("text/plain");
        text.split_whitespace()
            .find(|word| word.contains(prefix))
            .unwrap_or_else(|| panic!("no link with {prefix} in {text}"))
            .to_string()
    }
}

#[derive(Clone)]
struct Collect {
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    to: Vec<String>,
    data: Vec<u8>,
    /// How long the server waits after a message's data before it answers.
    delay: Duration,
}

/// Addresses the server refuses for good (550), to test permanent failures.
pub const REFUSED: &str = "weigeraar@";

impl Handler for Collect {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.contains(REFUSED) {
            mailin_embedded::response::NO_MAILBOX
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = ReceivedMail { to: std::mem::take(&mut self.to), raw: std::mem::take(&mut self.data) };
        self.received.lock().unwrap().push(mail);
        std::thread::sleep(self.delay);
        OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        OK
    }
}

pub struct TestSmtp {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl TestSmtp {
    /// A free port to start a server on later (to test "SMTP down, then up").
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub fn start() -> TestSmtp {
        TestSmtp::start_on(TestSmtp::free_port())
    }

    /// Starts a server on `port` in a thread of its own; it runs until the test process ends.
    pub fn start_on(port: u16) -> TestSmtp {
        TestSmtp::start_with(port, Duration::ZERO)
    }

    /// A server that keeps each message (counted as received) `delay` long before it
    /// answers: a slow conversation, or with a long delay one that hangs.
    pub fn start_slow(delay: Duration) -> TestSmtp {
        TestSmtp::start_with(TestSmtp::free_port(), delay)
    }

    fn start_with(port: u16, delay: Duration) -> TestSmtp {
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler = Collect { received: Arc::clone(&received), to: Vec::new(), data: Vec::new(), delay };
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP port");
        std::thread::spawn(move || {
            let mut server = Server::new(handler);
            server.with_name("smtp.test").with_num_threads(16).with_tcp_listener(listener);
            server.serve().expect("SMTP server runs");
        });
        TestSmtp { port, received }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().unwrap().clone()
    }

    /// Mail to `address`, waiting (at most 30 s: a test may queue hundreds of mails first)
    /// until `count` have arrived.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<ReceivedMail> {
        let started = Instant::now();
        loop {
            let found: Vec<ReceivedMail> =
                self.received().into_iter().filter(|mail| mail.to.iter().any(|to| to.contains(address))).collect();
            if found.len() >= count {
                return found;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "expected {count} mails to {address}, got {}",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

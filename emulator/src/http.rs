//! Reading HTTP/1.1 requests off a connection, as the emulator does; and a loopback server
//! for tests that records every request's bytes and answers each as told. The seed's tests
//! and the corpus tests use this one reader.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// The largest request read (head and body together).
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// One request as it came.
#[derive(Clone, Debug)]
pub struct Request {
    /// The method.
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    /// The headers, in order, as sent.
    pub headers: Vec<(String, String)>,
    /// The body (by `content-length`).
    pub body: Vec<u8>,
    /// Every byte of the request, head and body.
    pub raw: Vec<u8>,
}

impl Request {
    /// A header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request line and headers, as text.
    pub fn head(&self) -> String {
        let end = self.raw.len() - self.body.len();
        String::from_utf8_lossy(&self.raw[..end]).into_owned()
    }
}

/// Reads one request; `None` when the client closed the connection between requests.
pub fn read_request<R: BufRead>(reader: &mut R) -> io::Result<Option<Request>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let mut raw = Vec::new();
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    raw.extend_from_slice(line.as_bytes());
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts
        .next()
        .ok_or_else(|| bad("no request target"))?
        .to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(bad("the connection closed inside the head"));
        }
        raw.extend_from_slice(line.as_bytes());
        if raw.len() > MAX_REQUEST_BYTES {
            return Err(bad("the head is too large"));
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed
            .split_once(':')
            .ok_or_else(|| bad("a header line without `:`"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
        raw,
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        return Err(bad("chunked request bodies are not supported"));
    }
    let length: usize = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .parse()
            .map_err(|_| bad("a content-length that is not a number"))?,
    };
    if length > MAX_REQUEST_BYTES {
        return Err(bad("the body is too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    request.raw.extend_from_slice(&body);
    request.body = body;
    Ok(Some(request))
}

/// An answer: status, JSON body, and extra headers.
pub type Answer = (u16, String, Vec<(String, String)>);

/// A loopback server on its own thread: one request per connection, each answered with what
/// `answer` makes of it (`content-type: application/json`, `connection: close`). Returns the
/// base URL.
pub fn serve(mut answer: impl FnMut(&Request) -> Answer + Send + 'static) -> io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let Ok(write_half) = conn.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(conn);
            let Ok(Some(request)) = read_request(&mut reader) else {
                continue;
            };
            let (status, body, headers) = answer(&request);
            reply(write_half, status, &body, &headers);
        }
    });
    Ok(base)
}

fn reply(mut conn: TcpStream, status: u16, body: &str, headers: &[(String, String)]) {
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let text = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = conn.write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_read_whole_and_kept_byte_for_byte() {
        let wire =
            b"POST /v1/customers?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\nname=Ada";
        let mut reader = io::Cursor::new(&wire[..]);
        let r = read_request(&mut reader).unwrap().unwrap();
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/v1/customers?x=1")
        );
        assert_eq!(r.header("content-length"), Some("7"));
        assert_eq!(r.body, b"name=Ad");
        assert_eq!(r.raw, &wire[..wire.len() - 1]);
        assert!(r.head().ends_with("\r\n\r\n"));
        assert!(read_request(&mut io::Cursor::new(&b""[..]))
            .unwrap()
            .is_none());
    }

    #[test]
    fn malformed_and_chunked_requests_are_refused() {
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert!(read_request(&mut io::Cursor::new(&chunked[..])).is_err());
        let no_colon = b"GET / HTTP/1.1\r\nbroken\r\n\r\n";
        assert!(read_request(&mut io::Cursor::new(&no_colon[..])).is_err());
        let cut = b"GET / HTTP/1.1\r\nHost: a\r\n";
        assert!(read_request(&mut io::Cursor::new(&cut[..])).is_err());
    }
}

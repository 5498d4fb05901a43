//! A loopback emulator of the two APIs the seed workflow calls, for the offline demo and the
//! end-to-end tests.
//!
//! It speaks HTTP/1.1 on two loopback ports and behaves like the real services in the ways the
//! workflow can get wrong:
//! - Amberflo: `GET /customers/{customerId}` with the API key in `X-API-KEY`; the id is one
//!   percent-decoded path segment; an unknown id is a 404, a missing or wrong key a 401.
//! - Stripe: `POST /v1/customers` with the secret key as HTTP basic user name or bearer token; the
//!   body is parsed as `application/x-www-form-urlencoded` with Stripe's bracket notation
//!   (`metadata[k]=v`, `expand[0]=x`); a parameter Stripe does not take is refused with Stripe's
//!   `400 parameter_unknown` error object, a missing or wrong key with its 401 object; a create
//!   repeated with the same `Idempotency-Key` and body returns the first result with
//!   `Idempotent-Replayed: true` and creates nothing; the same key with another body is Stripe's
//!   `400 idempotency_error`. A fault can be injected: the next creates take effect but answer
//!   `500` ([`Emulator::fail_creates`]), as when a response is lost on the way back.
//!
//! Every exchange is recorded, request and response, as it went over the wire.

use std::collections::BTreeMap;
use std::io::{self, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use serde_json::{json, Map, Value};

pub mod http;

use http::{read_request, Request};

/// The parameters `POST /v1/customers` takes, from Stripe's API reference.
const STRIPE_CUSTOMER_PARAMETERS: &[&str] = &[
    "address",
    "balance",
    "business_name",
    "cash_balance",
    "description",
    "email",
    "expand",
    "individual_name",
    "invoice_prefix",
    "invoice_settings",
    "metadata",
    "name",
    "next_invoice_sequence",
    "payment_method",
    "phone",
    "preferred_locales",
    "shipping",
    "source",
    "tax",
    "tax_exempt",
    "tax_id_data",
    "test_clock",
    "validate",
];

/// A customer the emulated Amberflo account holds.
#[derive(Clone, Debug)]
pub struct Customer {
    /// The id the account gave the customer (`customerId`).
    pub customer_id: String,
    /// The display name (`customerName`).
    pub customer_name: String,
    /// The billing e-mail address (`customerEmail`).
    pub customer_email: Option<String>,
}

/// What the emulator accepts and holds.
#[derive(Clone, Debug)]
pub struct Config {
    /// The Amberflo API key it accepts in `X-API-KEY`.
    pub amberflo_api_key: String,
    /// The Stripe secret key it accepts.
    pub stripe_api_key: String,
    /// The Amberflo customers that exist.
    pub customers: Vec<Customer>,
}

/// Which emulated API served an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// Amberflo's billing API.
    Amberflo,
    /// Stripe's API.
    Stripe,
}

/// One request and its response, as they went over the wire.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The API that served it.
    pub api: Api,
    /// The request: request line, headers and body.
    pub request: Vec<u8>,
    /// The response's status.
    pub status: u16,
    /// The response's body (JSON).
    pub response: Value,
}

#[derive(Default)]
struct Records {
    exchanges: Vec<Exchange>,
    stripe_customers: Vec<Value>,
    /// Stripe's idempotency: the body first sent with each `Idempotency-Key`, and the
    /// response the create gave.
    idempotent: BTreeMap<String, (Vec<u8>, u16, Value)>,
    /// Creates left that take effect but answer 500.
    failing_creates: u32,
    /// Amberflo lookups left that answer 503 with `Retry-After: 0`.
    unavailable_lookups: u32,
}

struct State {
    config: Config,
    records: Mutex<Records>,
}

impl State {
    fn records(&self) -> MutexGuard<'_, Records> {
        // A handler thread that panicked leaves the records as they were; keep serving them.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The running emulator. Dropping it stops both listeners.
pub struct Emulator {
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    amberflo: SocketAddr,
    stripe: SocketAddr,
}

impl Emulator {
    /// Starts both APIs on free loopback ports.
    pub fn start(config: Config) -> io::Result<Emulator> {
        let state = Arc::new(State {
            config,
            records: Mutex::default(),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let amberflo = listen(Api::Amberflo, &state, &stop)?;
        let stripe = listen(Api::Stripe, &state, &stop)?;
        Ok(Emulator {
            state,
            stop,
            amberflo,
            stripe,
        })
    }

    /// The base URL of the emulated Amberflo API.
    pub fn amberflo_url(&self) -> String {
        format!("http://{}", self.amberflo)
    }

    /// The base URL of the emulated Stripe API.
    pub fn stripe_url(&self) -> String {
        format!("http://{}", self.stripe)
    }

    /// Every exchange so far, in the order the responses were sent.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state.records().exchanges.clone()
    }

    /// The Stripe customers created so far.
    pub fn stripe_customers(&self) -> Vec<Value> {
        self.state.records().stripe_customers.clone()
    }

    /// How many Stripe customers exist (cheaper than [`Emulator::stripe_customers`]).
    pub fn stripe_customer_count(&self) -> usize {
        self.state.records().stripe_customers.len()
    }

    /// The next `count` customer creates take effect (the customer exists, its idempotency key
    /// holds the result) but answer `500` with Stripe's `api_error`: a response lost on the
    /// way back.
    pub fn fail_creates(&self, count: u32) {
        self.state.records().failing_creates = count;
    }

    /// The next `count` Amberflo lookups answer `503 Service Unavailable` with
    /// `Retry-After: 0`, as an overloaded service does.
    pub fn unavailable_lookups(&self, count: u32) {
        self.state.records().unavailable_lookups = count;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake each accept loop so that it sees the flag.
        for addr in [self.amberflo, self.stripe] {
            let _ = TcpStream::connect(addr);
        }
    }
}

fn listen(api: Api, state: &Arc<State>, stop: &Arc<AtomicBool>) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let state = Arc::clone(state);
    let stop = Arc::clone(stop);
    thread::Builder::new()
        .name(format!("emulator-{api:?}"))
        .spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let state = Arc::clone(&state);
                let _ = thread::Builder::new()
                    .name(format!("emulator-{api:?}-conn"))
                    .spawn(move || serve(api, &state, conn));
            }
        })?;
    Ok(addr)
}

/// Serves requests on one connection until the client closes it.
fn serve(api: Api, state: &State, conn: TcpStream) {
    let _ = conn.set_nodelay(true);
    let Ok(write_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    let mut writer = write_half;
    loop {
        let (status, body, close, extra) = match read_request(&mut reader) {
            Ok(None) => return,
            Ok(Some(request)) => {
                let close = request
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"));
                let (status, body, extra) = match api {
                    Api::Amberflo => {
                        let (status, body) = amberflo(state, &request);
                        let extra = if status == 503 {
                            "retry-after: 0\r\n"
                        } else {
                            ""
                        };
                        (status, body, extra)
                    }
                    Api::Stripe => stripe(state, &request),
                };
                state.records().exchanges.push(Exchange {
                    api,
                    request: request.raw,
                    status,
                    response: body.clone(),
                });
                (status, body, close, extra)
            }
            Err(e) => (
                400,
                json!({ "message": format!("bad request: {e}") }),
                true,
                "",
            ),
        };
        let text = body.to_string();
        let head = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}{}\r\n",
            reason(status),
            text.len(),
            if close { "connection: close\r\n" } else { "" },
        );
        // One write: a head and body sent apart meet the peer's delayed ACK (40 ms a request).
        let reply = [head.as_bytes(), text.as_bytes()].concat();
        if writer.write_all(&reply).is_err() || close {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Amberflo's customer lookup.
fn amberflo(state: &State, request: &Request) -> (u16, Value) {
    if request.header("x-api-key") != Some(state.config.amberflo_api_key.as_str()) {
        return (401, json!({ "message": "Unauthorized" }));
    }
    {
        let mut records = state.records();
        if records.unavailable_lookups > 0 {
            records.unavailable_lookups -= 1;
            return (503, json!({ "message": "Service Unavailable" }));
        }
    }
    let path = request.path.split('?').next().unwrap_or_default();
    let Some(segment) = path
        .strip_prefix("/customers/")
        .filter(|s| !s.contains('/'))
    else {
        return (404, json!({ "message": format!("No route for {path}") }));
    };
    if request.method != "GET" {
        return (405, json!({ "message": "Method Not Allowed" }));
    }
    let Some(id) = percent_decode(segment.as_bytes(), false) else {
        return (
            400,
            json!({ "message": "The customer id is not valid UTF-8" }),
        );
    };
    match state
        .config
        .customers
        .iter()
        .position(|c| c.customer_id == id)
    {
        None => (
            404,
            json!({ "message": format!("Customer {id} does not exist") }),
        ),
        Some(i) => {
            let c = &state.config.customers[i];
            (
                200,
                json!({
                    "id": format!("00000000-0000-4000-8000-{:012}", i + 1),
                    "customerId": c.customer_id,
                    "customerName": c.customer_name,
                    "customerEmail": c.customer_email,
                    "enabled": true,
                    "test": false,
                    "traits": {},
                    "createTime": 1_700_000_000_000u64,
                }),
            )
        }
    }
}

/// The error object Stripe answers with.
fn stripe_error(
    status: u16,
    code: Option<&str>,
    message: String,
    param: Option<&str>,
) -> (u16, Value) {
    let mut error = Map::new();
    if let Some(code) = code {
        error.insert("code".into(), json!(code));
        error.insert(
            "doc_url".into(),
            json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            )),
        );
    }
    error.insert("message".into(), json!(message));
    if let Some(param) = param {
        error.insert("param".into(), json!(param));
    }
    error.insert("type".into(), json!("invalid_request_error"));
    (status, json!({ "error": error }))
}

/// Stripe's key check: basic (key as user name, empty password) or bearer.
fn stripe_key(request: &Request) -> Option<String> {
    let value = request.header("authorization")?;
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = String::from_utf8(base64_decode(rest.trim())?).ok()?;
        return Some(
            decoded
                .split_once(':')
                .map_or(decoded.as_str(), |(user, _)| user)
                .to_string(),
        );
    }
    None
}

/// The header Stripe adds to a response it replays for an idempotency key.
const REPLAYED: &str = "idempotent-replayed: true\r\n";

/// Stripe's customer creation: status, body, and extra response header lines. A request
/// with a known idempotency key (from the account's key holder) is replayed, or refused when
/// its body differs.
fn stripe(state: &State, request: &Request) -> (u16, Value, &'static str) {
    if let Err((status, body)) = stripe_auth(state, request) {
        return (status, body, "");
    }
    if let Some(key) = request.header("idempotency-key") {
        let records = state.records();
        if let Some((body, status, response)) = records.idempotent.get(key) {
            if *body == request.body {
                return (*status, response.clone(), REPLAYED);
            }
            let (status, body) = stripe_idempotency_error(key);
            return (status, body, "");
        }
    }
    let (status, body) = stripe_create(state, request);
    (status, body, "")
}

/// Stripe's answer to a key reused with other parameters.
fn stripe_idempotency_error(key: &str) -> (u16, Value) {
    (
        400,
        json!({ "error": {
            "message": format!("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."),
            "type": "idempotency_error",
        }}),
    )
}

/// Stripe's answer to a missing or wrong key, if the request has no right one.
fn stripe_auth(state: &State, request: &Request) -> Result<(), (u16, Value)> {
    match stripe_key(request) {
        None => Err(stripe_error(
            401,
            None,
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY')."
                .into(),
            None,
        )),
        Some(key) if key != state.config.stripe_api_key => {
            let tail: String = key
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Err(stripe_error(
                401,
                Some("api_key_invalid"),
                format!("Invalid API Key provided: sk_****{tail}"),
                None,
            ))
        }
        Some(_) => Ok(()),
    }
}

/// A create from a request with the right key.
fn stripe_create(state: &State, request: &Request) -> (u16, Value) {
    let path = request.path.split('?').next().unwrap_or_default();
    if path != "/v1/customers" || request.method != "POST" {
        return stripe_error(
            404,
            None,
            format!("Unrecognized request URL ({}: {path}).", request.method),
            None,
        );
    }
    let form = request
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form && !request.body.is_empty() {
        return stripe_error(
            400,
            None,
            "Invalid request: the body must be application/x-www-form-urlencoded.".into(),
            None,
        );
    }
    let params = match parse_form(&request.body) {
        Ok(params) => params,
        Err(message) => return stripe_error(400, None, message, None),
    };
    if let Some(unknown) = params
        .keys()
        .find(|k| !STRIPE_CUSTOMER_PARAMETERS.contains(&k.as_str()))
    {
        return stripe_error(
            400,
            Some("parameter_unknown"),
            format!("Received unknown parameter: {unknown}"),
            Some(unknown),
        );
    }
    for name in ["name", "email", "description", "phone"] {
        if params.get(name).is_some_and(|v| !v.is_string()) {
            return stripe_error(
                400,
                Some("parameter_invalid_string"),
                format!("Invalid string: {}", params[name]),
                Some(name),
            );
        }
    }
    if let Some(Value::String(email)) = params.get("email") {
        let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
        if !well_formed {
            return stripe_error(
                400,
                Some("email_invalid"),
                format!("Invalid email address: {email}"),
                Some("email"),
            );
        }
    }
    if let Some(Value::String(name)) = params.get("name") {
        if name.chars().count() > 256 {
            return stripe_error(
                400,
                None,
                "Invalid string: name must be at most 256 characters".into(),
                Some("name"),
            );
        }
    }
    let metadata = match params.get("metadata") {
        None => json!({}),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => Value::Object(m.clone()),
        Some(other) => {
            return stripe_error(
                400,
                Some("parameter_invalid_object"),
                format!("Invalid object: metadata must be a map of strings, got {other}"),
                Some("metadata"),
            )
        }
    };
    let mut records = state.records();
    let key = request.header("idempotency-key").map(str::to_string);
    let n = records.stripe_customers.len() + 1;
    let customer = json!({
        "id": format!("cus_Emulated{n:06}"),
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": 1_700_000_000 + n as u64,
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": params.get("description"),
        "discount": null,
        "email": params.get("email"),
        "invoice_prefix": format!("EMU{n:05}"),
        "invoice_settings": {
            "custom_fields": null,
            "default_payment_method": null,
            "footer": null,
            "rendering_options": null
        },
        "livemode": false,
        "metadata": metadata,
        "name": params.get("name"),
        "next_invoice_sequence": 1,
        "phone": params.get("phone"),
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null
    });
    records.stripe_customers.push(customer.clone());
    if let Some(key) = key {
        records
            .idempotent
            .insert(key, (request.body.clone(), 200, customer.clone()));
    }
    if records.failing_creates > 0 {
        records.failing_creates -= 1;
        return (
            500,
            json!({ "error": {
                "message": "An unknown error occurred",
                "type": "api_error",
            }}),
        );
    }
    (200, customer)
}

/// Parses a form body with Stripe's bracket notation into nested JSON: `a[b]=1` is an object,
/// `a[0]=x&a[1]=y` and `a[]=x` are arrays.
pub fn parse_form(body: &[u8]) -> Result<BTreeMap<String, Value>, String> {
    let mut root = Map::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let key = percent_decode(key, true).ok_or("a form key is not UTF-8")?;
        let value = percent_decode(value, true).ok_or("a form value is not UTF-8")?;
        let mut path: Vec<&str> = Vec::new();
        let (head, mut rest) = key
            .split_once('[')
            .map_or((key.as_str(), ""), |(h, r)| (h, r));
        path.push(head);
        if !rest.is_empty() || key.contains('[') {
            rest = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("Invalid parameter name: {key}"))?;
            path.extend(rest.split("]["));
        }
        insert(&mut root, &path, Value::String(value))
            .map_err(|()| format!("Invalid parameter name: {key}"))?;
    }
    Ok(root.into_iter().map(|(k, v)| (k, arrays(v))).collect())
}

fn insert(node: &mut Map<String, Value>, path: &[&str], value: Value) -> Result<(), ()> {
    let Some((first, rest)) = path.split_first() else {
        return Err(());
    };
    let key = if first.is_empty() {
        // `a[]`: the next index.
        node.len().to_string()
    } else {
        (*first).to_string()
    };
    if rest.is_empty() {
        node.insert(key, value);
        return Ok(());
    }
    let child = node.entry(key).or_insert_with(|| Value::Object(Map::new()));
    match child {
        Value::Object(map) => insert(map, rest, value),
        _ => Err(()),
    }
}

/// Objects whose keys are exactly `0..n` become arrays.
fn arrays(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let indexed =
                !map.is_empty() && (0..map.len()).all(|i| map.contains_key(&i.to_string()));
            if indexed {
                let mut items: Vec<(usize, Value)> = map
                    .into_iter()
                    .filter_map(|(k, v)| k.parse().ok().map(|i| (i, arrays(v))))
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, arrays(v))).collect())
            }
        }
        other => other,
    }
}

/// Decodes `%XX` escapes (and `+` as a space in forms); `None` if the result is not UTF-8.
pub fn percent_decode(input: &[u8], plus_is_space: bool) -> Option<String> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        let hex = |c: u8| (c as char).to_digit(16);
        match b {
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            },
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits = input.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in digits {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_into_stripe_shapes() {
        let form = parse_form(b"name=Ada+%26+Co&metadata[k%201]=v%2F1&expand[0]=a&expand[1]=b&tax_id_data[0][type]=eu_vat")
            .expect("parses");
        assert_eq!(form["name"], "Ada & Co");
        assert_eq!(form["metadata"], json!({ "k 1": "v/1" }));
        assert_eq!(form["expand"], json!(["a", "b"]));
        assert_eq!(form["tax_id_data"], json!([{ "type": "eu_vat" }]));
        assert!(parse_form(b"a=1&a[b]=2").is_err());
        assert!(parse_form(b"a[b=2").is_err());
    }

    #[test]
    fn percent_decoding_is_exact() {
        assert_eq!(
            percent_decode(b"a%2Fb%C3%BC+c", false).as_deref(),
            Some("a/bü+c")
        );
        assert_eq!(percent_decode(b"a+c%", true).as_deref(), Some("a c%"));
        assert_eq!(percent_decode(b"%FF", true), None);
    }

    #[test]
    fn basic_credentials_decode() {
        assert_eq!(
            base64_decode("c2tfdGVzdF8xOg==").as_deref(),
            Some(&b"sk_test_1:"[..])
        );
    }
}

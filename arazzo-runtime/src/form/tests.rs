//! The form encoder, byte for byte. The tests build with serde_json's `preserve_order` (a
//! dev-dependency feature), so members are written in the order the bodies list them.

use super::*;
use serde_json::json;

/// The body as the client sends it (JSON text), encoded as a form.
fn encode(body: &Value, styles: &[(&str, Style)]) -> String {
    encode_json(&serde_json::to_vec(body).unwrap(), styles).unwrap()
}

#[test]
fn nested_objects_and_arrays_are_deep_objects_with_literal_brackets() {
    let body = json!({
        "amount": 12.5,
        "email": "a+b@example.com",
        "expand": ["x", "y"],
        "live": true,
        "metadata": {"amberflo customer_id": "c/1"},
        "skip": null
    });
    assert_eq!(
        encode(&body, &[]),
        "amount=12.5&email=a%2Bb%40example.com&expand[0]=x&expand[1]=y&live=true\
             &metadata[amberflo+customer_id]=c%2F1"
    );
}

#[test]
fn form_styles_explode_or_join() {
    let body = json!({"filter": {"k": "v"}, "tags": ["a", "b c"]});
    assert_eq!(
        encode(
            &body,
            &[("tags", Style::FormExplode), ("filter", Style::FormExplode)]
        ),
        "k=v&tags=a&tags=b+c"
    );
    assert_eq!(
        encode(&body, &[("tags", Style::Form), ("filter", Style::Form)]),
        "filter=k%2Cv&tags=a%2Cb+c"
    );
}

#[test]
fn the_unreserved_bytes_stay_and_others_are_percent_encoded() {
    assert_eq!(encode(&json!({"k": "*-._~ é"}), &[]), "k=*-._%7E+%C3%A9");
    assert_eq!(encode(&json!("not an object"), &[]), "");
}

#[test]
fn multipart_parts_follow_the_body() {
    let body = json!({"a\"b": "x", "file": "bytes", "gone": null, "meta": {"k": 1}});
    let text = String::from_utf8(multipart(&body, &["file"], "B")).unwrap();
    assert_eq!(
            text,
            "--B\r\nContent-Disposition: form-data; name=\"a%22b\"\r\n\r\nx\r\n\
             --B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nbytes\r\n\
             --B\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"k\":1}\r\n\
             --B--\r\n"
        );
}

#[test]
fn deep_objects_and_arrays_use_brackets() {
    let body = json!({
        "name": "Ada & Co",
        "metadata": {"amberflo_customer_id": "cust-001", "tier": "gold"},
        "expand": ["tax", "sources"],
        "address": {"line1": "1 Main St", "geo": {"lat": 1.5}}
    });
    assert_eq!(
        encode(&body, &[("metadata", Style::DeepObject)]),
        "name=Ada+%26+Co&metadata[amberflo_customer_id]=cust-001&metadata[tier]=gold\
         &expand[0]=tax&expand[1]=sources&address[line1]=1+Main+St&address[geo][lat]=1.5"
    );
}

#[test]
fn form_styles_follow_openapi() {
    let body = json!({"ids": [1, 2], "filter": {"a": "x", "b": "y"}});
    assert_eq!(
        encode(
            &body,
            &[("ids", Style::FormExplode), ("filter", Style::FormExplode)]
        ),
        "ids=1&ids=2&a=x&b=y"
    );
    assert_eq!(
        encode(&body, &[("ids", Style::Form), ("filter", Style::Form)]),
        "ids=1%2C2&filter=a%2Cx%2Cb%2Cy"
    );
}

#[test]
fn scalars_nulls_and_escapes() {
    let body = json!({
        "unicode": "ü/ß €",
        "reserved": "a=b&c+d%e\"f",
        "flag": true,
        "n": -3,
        "gone": null,
        "empty": "",
        "key with space": "v"
    });
    assert_eq!(
        encode(&body, &[]),
        "unicode=%C3%BC%2F%C3%9F+%E2%82%AC&reserved=a%3Db%26c%2Bd%25e%22f&flag=true&n=-3\
         &empty=&key+with+space=v"
    );
}

#[test]
fn a_body_that_is_not_an_object_encodes_as_nothing() {
    assert_eq!(encode(&json!([1, 2]), &[]), "");
    assert_eq!(encode(&json!("x"), &[]), "");
}

#[test]
fn multipart_parts_follow_the_body_in_its_order() {
    let body = json!({
        "note": "first \"draft\"",
        "count": 2,
        "tags": ["a", "b"],
        "skipped": null,
        "file": "hello\r\nworld"
    });
    let bytes = multipart(&body, &["file"], "XyZ");
    assert_eq!(
        String::from_utf8(bytes).expect("utf-8"),
        "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfirst \"draft\"\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n2\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\nContent-Type: application/json\r\n\r\n[\"a\",\"b\"]\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\nworld\r\n\
         --XyZ--\r\n"
    );
}

#[test]
fn multipart_names_cannot_break_the_header() {
    let bytes = multipart(&json!({"a\"b\r\nc": "v"}), &[], "B");
    assert_eq!(
        String::from_utf8(bytes).expect("utf-8"),
        "--B\r\nContent-Disposition: form-data; name=\"a%22b%0D%0Ac\"\r\n\r\nv\r\n--B--\r\n"
    );
    assert_eq!(multipart(&json!([1]), &[], "B"), b"--B--\r\n");
}

#[test]
fn numbers_are_written_as_json_writes_them() {
    let body = json!({"a": 1.0, "b": 1e20, "c": 18446744073709551615u64, "d": -0.5, "e": [0.1]});
    assert_eq!(
        encode(&body, &[]),
        "a=1.0&b=1e%2B20&c=18446744073709551615&d=-0.5&e[0]=0.1"
    );
    // As the text has them, not as a float would round them.
    assert_eq!(
        encode_json(br#"{"n": 12345678901234567890123}"#, &[]).unwrap(),
        "n=1.2345678901234568e%2B22"
    );
}

#[test]
fn escaped_member_names_and_empty_containers() {
    let text = br#"{"a\"b": "x", "m": {}, "l": [], "o": {"k\u00e9": [null, {"z": false}]}}"#;
    assert_eq!(
        encode_json(text, &[]).unwrap(),
        "a%22b=x&o[k%C3%A9][1][z]=false"
    );
}

#[test]
fn text_that_is_not_json_is_an_error_not_a_partial_form() {
    assert!(encode_json(b"{\"a\": 1", &[]).is_err());
    assert!(encode_json(b"{\"a\": 1} trailing", &[]).is_err());
    assert!(encode_json(b"", &[]).is_err());
}

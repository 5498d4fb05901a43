//! The form encoder the generated clients carry, byte for byte. It is compiled here from the
//! very file the generator copies into generated code.

#[path = "../src/runtime/form.rs"]
#[allow(dead_code)]
mod form;

use form::{encode, Style};
use serde_json::json;

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

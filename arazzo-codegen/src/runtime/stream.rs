// Copied into generated files that call an operation whose response is not JSON (Progenitor
// hands it over as a byte stream): the body is read whole and parsed as JSON when it is JSON,
// else kept as text. Needs the `futures-core` crate.

/// Reads a byte-stream result into a status, headers and a body, as `exchange` does for JSON.
pub async fn exchange<E>(
    step: &'static str,
    result: ::std::result::Result<
        ::progenitor_client::ResponseValue<::progenitor_client::ByteStream>,
        ::progenitor_client::Error<E>,
    >,
) -> ::std::result::Result<super::Exchange, super::Error> {
    let failed = |cause: ::std::string::String| super::Error::Request { step, cause };
    match result {
        ::std::result::Result::Ok(v) => {
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            let bytes = collect(v.into_inner_stream()).await.map_err(|e| failed(e.to_string()))?;
            ::std::result::Result::Ok(super::Exchange::new(status, headers, super::json_or_text(&bytes)))
        }
        ::std::result::Result::Err(::progenitor_client::Error::ErrorResponse(v)) => {
            // A declared error response of a non-JSON operation: its status and headers count.
            let (status, headers) = (v.status().as_u16(), v.headers().clone());
            ::std::result::Result::Ok(super::Exchange::new(status, headers, ::serde_json::Value::Null))
        }
        ::std::result::Result::Err(::progenitor_client::Error::UnexpectedResponse(r)) => {
            let (status, headers) = (r.status().as_u16(), r.headers().clone());
            let bytes = r.bytes().await.map_err(|e| failed(e.to_string()))?;
            ::std::result::Result::Ok(super::Exchange::new(status, headers, super::json_or_text(&bytes)))
        }
        ::std::result::Result::Err(e) => ::std::result::Result::Err(failed(e.into_untyped().to_string())),
    }
}

/// Every chunk of a body stream.
async fn collect<S, B>(mut stream: ::std::pin::Pin<::std::boxed::Box<S>>) -> ::reqwest::Result<::std::vec::Vec<u8>>
where
    S: ::futures_core::Stream<Item = ::reqwest::Result<B>> + ?Sized,
    B: ::std::convert::AsRef<[u8]>,
{
    let mut out = ::std::vec::Vec::new();
    while let ::std::option::Option::Some(chunk) =
        ::std::future::poll_fn(|cx| ::futures_core::Stream::poll_next(stream.as_mut(), cx)).await
    {
        out.extend_from_slice(chunk?.as_ref());
    }
    ::std::result::Result::Ok(out)
}

//! `Negotiate` and `NTLM` as the signed-in Windows user, through the OS's SSPI: no password
//! is asked for or seen; Windows uses the logon session's Kerberos tickets or NTLM hash, as
//! Edge does with the same proxy.
//!
//! Unsafe FFI, kept to this file: the credential and context handles are released in `Drop`,
//! and every token SSPI allocates is copied and freed with `FreeContextBuffer` at once.
#![allow(unsafe_code)]

use super::{Responder, Scheme};
use crate::sensitive::Sensitive;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use windows_sys::Win32::Foundation::{
    SEC_E_OK, SEC_I_COMPLETE_AND_CONTINUE, SEC_I_COMPLETE_NEEDED, SEC_I_CONTINUE_NEEDED,
};
use windows_sys::Win32::Security::Authentication::Identity::{
    AcquireCredentialsHandleW, CompleteAuthToken, DeleteSecurityContext, FreeContextBuffer,
    FreeCredentialsHandle, ISC_REQ_ALLOCATE_MEMORY, InitializeSecurityContextW, SECBUFFER_TOKEN,
    SECBUFFER_VERSION, SECPKG_CRED_OUTBOUND, SECURITY_NATIVE_DREP, SecBuffer, SecBufferDesc,
};
use windows_sys::Win32::Security::Credentials::SecHandle;

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// One SSPI handshake for the current user with one proxy.
pub(super) struct CurrentUser {
    scheme: Scheme,
    credentials: SecHandle,
    context: Option<SecHandle>,
    /// `HTTP/proxy.corp`: the proxy's service name, for Kerberos.
    target: Vec<u16>,
    done: bool,
}

impl std::fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("scheme", &self.scheme)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

// SAFETY: the handles are plain identifiers SSPI accepts from any thread; one handshake is
// only ever used by one task at a time.
unsafe impl Send for CurrentUser {}

impl CurrentUser {
    /// `kerberos_only`: SSPI's `Kerberos` package instead of `Negotiate`, so that no NTLM
    /// answer (which whoever receives it can crack or relay) can come out; the header still
    /// says `Negotiate`, which accepts a Kerberos token.
    pub(super) fn for_proxy(
        scheme: Scheme,
        proxy_host: &str,
        kerberos_only: bool,
    ) -> Result<Self, String> {
        let package = wide(if kerberos_only {
            "Kerberos"
        } else {
            scheme.name()
        });
        let mut credentials = SecHandle::default();
        let mut expiry = 0i64;
        // SAFETY: no principal or auth data: the current logon session's credentials.
        let status = unsafe {
            AcquireCredentialsHandleW(
                std::ptr::null(),
                package.as_ptr(),
                SECPKG_CRED_OUTBOUND,
                std::ptr::null(),
                std::ptr::null(),
                None,
                std::ptr::null(),
                &mut credentials,
                &mut expiry,
            )
        };
        if status != SEC_E_OK {
            return Err(format!(
                "Windows could not sign in to the proxy as you (SSPI {status:#x})"
            ));
        }
        Ok(Self {
            scheme,
            credentials,
            context: None,
            target: wide(&format!("HTTP/{proxy_host}")),
            done: false,
        })
    }
}

impl Responder for CurrentUser {
    fn scheme(&self) -> Scheme {
        self.scheme
    }

    fn respond(&mut self, token: Option<&[u8]>) -> Result<Option<Sensitive<String>>, String> {
        if self.done || (self.context.is_some() && token.is_none()) {
            return Ok(None);
        }
        let mut input_bytes = token.map(<[u8]>::to_vec).unwrap_or_default();
        let mut input_buffer = SecBuffer {
            cbBuffer: input_bytes.len() as u32,
            BufferType: SECBUFFER_TOKEN,
            pvBuffer: input_bytes.as_mut_ptr().cast(),
        };
        let input = SecBufferDesc {
            ulVersion: SECBUFFER_VERSION,
            cBuffers: 1,
            pBuffers: &mut input_buffer,
        };
        let mut output_buffer = SecBuffer {
            cbBuffer: 0,
            BufferType: SECBUFFER_TOKEN,
            pvBuffer: std::ptr::null_mut(),
        };
        let mut output = SecBufferDesc {
            ulVersion: SECBUFFER_VERSION,
            cBuffers: 1,
            pBuffers: &mut output_buffer,
        };
        let mut new_context = self.context.unwrap_or_default();
        let mut attributes = 0u32;
        let mut expiry = 0i64;
        let target = self.target.as_ptr();
        // SAFETY: every buffer outlives the call; SSPI allocates the output token
        // (ISC_REQ_ALLOCATE_MEMORY), which is freed below.
        let status = unsafe {
            InitializeSecurityContextW(
                &self.credentials,
                self.context
                    .as_ref()
                    .map_or(std::ptr::null(), std::ptr::from_ref),
                target,
                ISC_REQ_ALLOCATE_MEMORY,
                0,
                SECURITY_NATIVE_DREP,
                if token.is_some() {
                    &input
                } else {
                    std::ptr::null()
                },
                0,
                &mut new_context,
                &mut output,
                &mut attributes,
                &mut expiry,
            )
        };
        let succeeded = status == SEC_E_OK
            || status == SEC_I_CONTINUE_NEEDED
            || status == SEC_I_COMPLETE_NEEDED
            || status == SEC_I_COMPLETE_AND_CONTINUE;
        // Only a context SSPI made is kept (and deleted in Drop); a failed first call made none.
        if succeeded {
            self.context = Some(new_context);
        }
        if status == SEC_I_COMPLETE_NEEDED || status == SEC_I_COMPLETE_AND_CONTINUE {
            // SAFETY: the context was just initialized; the output descriptor is valid.
            unsafe { CompleteAuthToken(&new_context, &output) };
        }
        let bytes = if output_buffer.pvBuffer.is_null() {
            Vec::new()
        } else {
            // SAFETY: SSPI wrote `cbBuffer` bytes there; copied, then freed once.
            unsafe {
                let bytes = std::slice::from_raw_parts(
                    output_buffer.pvBuffer.cast::<u8>(),
                    output_buffer.cbBuffer as usize,
                )
                .to_vec();
                FreeContextBuffer(output_buffer.pvBuffer);
                bytes
            }
        };
        let bytes = zeroize::Zeroizing::new(bytes);
        if !succeeded {
            return Err(format!(
                "Windows could not answer the proxy's sign-in challenge (SSPI {status:#x})"
            ));
        }
        self.done = status == SEC_E_OK || status == SEC_I_COMPLETE_NEEDED;
        if bytes.is_empty() {
            return Ok(None);
        }
        Ok(Some(Sensitive::new(format!(
            "{} {}",
            self.scheme.name(),
            BASE64.encode(bytes.as_slice())
        ))))
    }
}

impl Drop for CurrentUser {
    fn drop(&mut self) {
        // SAFETY: both handles came from SSPI and are released once.
        unsafe {
            if let Some(context) = &self.context {
                DeleteSecurityContext(context);
            }
            FreeCredentialsHandle(&self.credentials);
        }
    }
}

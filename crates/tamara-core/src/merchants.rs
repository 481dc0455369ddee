//! Merchant-level reads: customer ID-verification status and public configuration.

use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::error::ApiError;
use crate::http::{parse_default, Endpoint, Method};

/// `GET /merchants/customer/id-verification-status` (row 13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdVerificationStatus {
    /// International form without `+` (`966544337766`).
    pub phone_number: String,
    /// `SA` or `AE`.
    pub country_code: Country,
}

/// `{"is_id_verified": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdVerification {
    /// Already onboarded with Tamara.
    pub is_id_verified: bool,
}

impl Endpoint for IdVerificationStatus {
    type Response = IdVerification;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        "/merchants/customer/id-verification-status".to_owned()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("phone_number", self.phone_number.clone()),
            ("country_code", self.country_code.code().to_owned()),
        ]
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<IdVerification, ApiError> {
        parse_default(status, body)
    }
}

/// `GET /merchants/configs` (row 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetMerchantConfigs;

/// Public merchant configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantConfigs {
    /// Single checkout.
    #[serde(default)]
    pub single_checkout_enabled: bool,
    /// Public key for front-end widgets (not a secret).
    #[serde(default)]
    pub public_key: String,
}

impl Endpoint for GetMerchantConfigs {
    type Response = MerchantConfigs;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        "/merchants/configs".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<MerchantConfigs, ApiError> {
        parse_default(status, body)
    }
}

//! The `catalog` table: the only source of prices for catalog carts.

use serde::Deserialize;

use super::sql::{stmt, Sql};
use super::Store;
use crate::error::AppResult;

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Product {
    /// SKU.
    pub sku: String,
    /// English name.
    pub name: String,
    /// Arabic name.
    pub name_ar: String,
    /// Price in minor units of `currency`.
    pub price_minor: i64,
    /// Currency code.
    pub currency: String,
    /// Image.
    #[serde(default)]
    pub image_url: Option<String>,
}

impl<Q: Sql> Store<Q> {
    /// Active products priced in `currency`, by SKU.
    pub async fn catalog(&self, currency: &str) -> AppResult<Vec<Product>> {
        self.run(stmt(
            "SELECT sku, name, name_ar, price_minor, currency, image_url FROM catalog \
             WHERE active = 1 AND currency = ?1 ORDER BY sku",
            [currency.into()],
        ))
        .await?
        .decode()
    }
}

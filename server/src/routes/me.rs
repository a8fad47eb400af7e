//! `GET /api/me`: who the bearer token says the caller is. Lets a client (or an
//! operator with curl) check a token without touching any data.

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

use crate::{auth::AuthUser, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/me", get(me))
}

async fn me(user: AuthUser) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "email": user.claims.get("email"),
        "name": user.claims.get("name"),
        "exp": user.claims.get("exp"),
    }))
}

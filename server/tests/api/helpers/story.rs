//! The requests the tests tell their stories with: signing up and in, sessions, JWTs,
//! the tasks API as a user, and the UI's server functions. Each is one step a client
//! takes, so that a test reads as what happens rather than as request plumbing.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

use super::TestApp;

/// A signed-in user as the tests see them.
#[derive(Debug, Clone)]
pub struct Signed {
    pub email: String,
    pub user_id: String,
    /// `name=value` for the session cookie, ready for a `Cookie` header.
    pub cookie: String,
    /// The sign-up's answer (`token`, `user`).
    pub body: Value,
}

/// A user with a bearer token, for the tasks API.
pub struct ApiUser {
    pub id: String,
    pub token: String,
    pub signed: Signed,
}

/// All `Set-Cookie` header values of a response.
pub fn set_cookies(res: &Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// `name=value` of the session cookie set by a response, if any (and not an expiry).
pub fn session_cookie(res: &Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("better-auth.session_token=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

// --- plain requests and pages -------------------------------------------------------

impl TestApp {
    pub async fn get(&self, path: &str) -> Response {
        self.load(self.client.get(self.url(path))).await
    }

    /// Sends a request and reads its whole answer. The answer comes back as a `Response`
    /// again, buffered.
    pub async fn load(&self, req: RequestBuilder) -> Response {
        let req = req.build().expect("a request");
        let method = req.method().clone();
        let url = req.url().clone();
        let res = self
            .client
            .execute(req)
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e:?}"));
        let mut buffered = axum::http::Response::builder()
            .status(res.status())
            .version(res.version());
        *buffered.headers_mut().unwrap() = res.headers().clone();
        let body = res
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: body: {e:?}"));
        buffered.body(body).unwrap().into()
    }
}

// --- auth ------------------------------------------------------------------------------

impl TestApp {
    /// POSTs JSON to `/api/auth{path}`; with a cookie, sends the trusted `Origin` as a
    /// browser would.
    pub async fn auth_post(&self, path: &str, body: Value, cookie: Option<&str>) -> Response {
        let mut req = self
            .client
            .post(self.url(&format!("/api/auth{path}")))
            .json(&body);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie).header("origin", self.origin());
        }
        req.send().await.expect("POST")
    }

    pub async fn auth_get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(&format!("/api/auth{path}")));
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        req.send().await.expect("GET")
    }

    /// What `/api/auth/get-session` says about a `Cookie` header: the session and its
    /// user, or `null` for no session (always a 200).
    pub async fn session(&self, cookie: &str) -> Value {
        let res = self.auth_get("/get-session", Some(cookie)).await;
        assert_eq!(res.status(), 200, "get-session with {cookie}");
        res.json().await.expect("get-session answers JSON")
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> Signed {
        let res = self
            .auth_post(
                "/sign-up/email",
                json!({ "name": "Test User", "email": email, "password": password }),
                None,
            )
            .await;
        assert_eq!(res.status(), 200, "sign-up of {email}");
        let cookie = session_cookie(&res).expect("session cookie");
        let body: Value = res.json().await.unwrap();
        Signed {
            email: email.to_string(),
            user_id: body["user"]["id"].as_str().unwrap().to_string(),
            cookie,
            body,
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.auth_post(
            "/sign-in/email",
            json!({ "email": email, "password": password }),
            None,
        )
        .await
    }

    /// Signs in (which must succeed) and returns the new session's cookie: one more
    /// session of the same user, as another browser would have it.
    pub async fn sign_in_cookie(&self, email: &str, password: &str) -> String {
        let res = self.sign_in(email, password).await;
        assert_eq!(res.status(), 200, "sign-in of {email}");
        session_cookie(&res).expect("session cookie")
    }

    /// A JWT for the signed-in user, from `/api/auth/token`.
    pub async fn jwt(&self, who: &Signed) -> String {
        let res = self.auth_get("/token", Some(&who.cookie)).await;
        assert_eq!(res.status(), 200, "GET /api/auth/token on {}", self.base);
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }
}

// --- the tasks API -----------------------------------------------------------------------

impl TestApp {
    pub async fn api_user(&self, email: &str) -> ApiUser {
        let signed = self.sign_up(email, "password for tests").await;
        let token = self.jwt(&signed).await;
        ApiUser {
            id: signed.user_id.clone(),
            token,
            signed,
        }
    }

    /// A request to the tasks API as `who`.
    pub fn api(&self, who: &ApiUser, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&who.token)
    }

    /// Sends a request without a body as `who`.
    pub async fn send(&self, who: &ApiUser, method: Method, path: &str) -> Response {
        self.api(who, method, path).send().await.unwrap()
    }

    /// Sends `body` as JSON as `who`.
    pub async fn send_json(
        &self,
        who: &ApiUser,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Response {
        self.api(who, method, path).json(body).send().await.unwrap()
    }

    /// GETs `path` as `who`, which must answer 200, and returns its JSON.
    pub async fn get_json(&self, who: &ApiUser, path: &str) -> Value {
        let res = self.send(who, Method::GET, path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    /// GETs `path` with a raw bearer token (forged, foreign, or from elsewhere).
    pub async fn bearer_get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn create_task(&self, who: &ApiUser, body: Value) -> Value {
        let path = format!("/api/{}/tasks", who.id);
        let res = self.send_json(who, Method::POST, &path, &body).await;
        assert_eq!(res.status(), 201, "create {body}");
        res.json().await.unwrap()
    }
}

/// A page of `who`'s tasks for a query string, and its `X-Total-Count`.
pub async fn list_tasks(app: &TestApp, who: &ApiUser, query: &str) -> (Vec<Value>, i64) {
    let res = app
        .send(who, Method::GET, &format!("/api/{}/tasks?{query}", who.id))
        .await;
    assert_eq!(res.status(), 200, "list ?{query}");
    let total = res.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (res.json().await.unwrap(), total)
}

// --- server functions ------------------------------------------------------------------

impl TestApp {
    /// Calls the server function `name` (`POST /api/ui/{name}`, form-encoded) as the
    /// hydrated client does (`Accept: application/json`, not a browser form post), with
    /// a `Cookie` header (and the trusted `Origin` a browser sends along) and/or a
    /// bearer token.
    pub async fn call(
        &self,
        name: &str,
        cookie: Option<&str>,
        bearer: Option<&str>,
        form: &[(&str, &str)],
    ) -> Response {
        let mut req = self
            .client
            .post(self.url(&format!("/api/ui/{name}")))
            .header("accept", "application/json")
            .form(form);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie).header("origin", self.origin());
        }
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap()
    }

    /// [`call`](Self::call), which must answer 200, and the JSON it answered.
    pub async fn call_json(
        &self,
        name: &str,
        cookie: Option<&str>,
        bearer: Option<&str>,
        form: &[(&str, &str)],
    ) -> Value {
        let res = self.call(name, cookie, bearer, form).await;
        let status = res.status();
        let body = res.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "server function {name}: {body}");
        body
    }
}

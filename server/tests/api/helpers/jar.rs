//! A browser's cookie jar, as `Set-Cookie` headers leave it: a test that walks through
//! several answers sends back what a browser would.

use reqwest::Response;

use super::set_cookies;

/// `(name, value)` pairs; a deletion (`Max-Age=0`) removes the name.
#[derive(Default)]
pub struct Jar(pub Vec<(String, String)>);

impl Jar {
    /// Keeps what the answer sets and forgets what it deletes.
    pub fn take(&mut self, res: &Response) {
        for cookie in set_cookies(res) {
            let pair = cookie.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            self.0.retain(|(n, _)| n != name);
            if !cookie.contains("Max-Age=0") {
                self.0.push((name.to_string(), value.to_string()));
            }
        }
    }

    /// The `Cookie` header a browser would send.
    pub fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}={v}")).collect();
        pairs.join("; ")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

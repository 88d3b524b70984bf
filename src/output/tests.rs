use super::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);
impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn render(format: Format, opts: &OutputOptions, shape: Shape, columns: &[&str], items: &[Value]) -> String {
    let buf = Shared::default();
    let mut sink = Sink::to_writer(Box::new(buf.clone()), format, opts, shape, columns);
    for item in items {
        sink.write_item(item).unwrap();
    }
    sink.finish().unwrap();
    buf.text()
}
fn list() -> Vec<Value> {
    vec![
        json!({"id": 1, "name": "Alpha", "plan": {"code": "SQL", "seats": 4}, "tags": ["a", "b"]}),
        json!({"id": 2, "name": "Beta, \"Inc\"", "plan": {"code": "WIN", "seats": null}, "tags": []}),
    ]
}
fn one() -> Value {
    json!({"id": 7, "name": "Gamma", "plan": {"code": "X"}, "active": true})
}

#[test]
fn dump() {
    let opts = OutputOptions::default();
    for f in [Format::Table] {
        println!("=== {f:?} list\n{}", render(f, &opts, Shape::List, &[], &list()));
        println!("=== {f:?} one\n{}", render(f, &opts, Shape::One, &[], &[one()]));
        let opts = OutputOptions { no_headers: true, fields: Some(vec!["name".into(), "plan.code".into(), "missing".into()]), ..Default::default() };
        println!("=== {f:?} list\n{}", render(f, &opts, Shape::List, &[], &list()));
        println!("=== {f:?} one\n{}", render(f, &opts, Shape::One, &[], &[one()]));
    }
}

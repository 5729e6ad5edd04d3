//! Values that nest millions deep are freed without recursion: each test
//! drops the value on the test's own thread, whose stack (2 MiB) would
//! overflow long before a recursive drop reached the bottom.

fn build(code: &str) -> thr::Value {
    let mut engine = thr::Engine::new();
    let v = engine.eval(code).expect("the script runs");
    drop(engine);
    v
}

#[test]
fn a_chain_of_a_million_closures_frees_without_recursing() {
    let chain = build(
        "fn build(n) {\n  let f = fn() { 0 }\n  for i in range(n) {\n    let g = f\n    f = fn() { g() }\n  }\n  f\n}\nbuild(1000000)",
    );
    assert_eq!(chain.type_name(), "fn");
    drop(chain);
}

#[test]
fn lists_and_maps_nested_a_million_deep_free_without_recursing() {
    let deep = build(
        "fn build(n) {\n  let v = []\n  for i in range(n) { v = {k: [v]} }\n  v\n}\nbuild(1000000)",
    );
    assert_eq!(deep.type_name(), "map");
    drop(deep);
}

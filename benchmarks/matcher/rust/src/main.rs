//! The matcher benchmark's harness for the Rust `aho-corasick` crate, with the
//! same arguments and JSON line as our Swift harness (see ../swift/main.swift).
use aho_corasick::{AhoCorasickBuilder, MatchKind};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut patterns_path = String::new();
    let mut haystack_path = String::new();
    let mut semantics = String::from("overlapping");
    let mut ignore_case = false;
    let mut repeat = 3usize;
    let mut dfa: Option<bool> = None;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--patterns" => { i += 1; patterns_path = args[i].clone(); }
            "--haystack" => { i += 1; haystack_path = args[i].clone(); }
            "--semantics" => { i += 1; semantics = args[i].clone(); }
            "--ignore-case" => ignore_case = true,
            "--repeat" => { i += 1; repeat = args[i].parse().unwrap(); }
            "--automaton-kind" => {
                i += 1;
                dfa = match args[i].as_str() { "dfa" => Some(true), "nfa" => Some(false), _ => None };
            }
            other => panic!("unknown argument {}", other),
        }
        i += 1;
    }
    let text = std::fs::read(&patterns_path).expect("patterns");
    let mut patterns: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    if patterns.last().map_or(false, |p| p.is_empty()) { patterns.pop(); }
    let haystack = std::fs::read(&haystack_path).expect("haystack");

    let build = || {
        let mut builder = AhoCorasickBuilder::new();
        // The crate's own automatic choice, unless a kind is forced.
        builder.auto_configure(&patterns);
        if let Some(d) = dfa { builder.dfa(d); }
        builder.ascii_case_insensitive(ignore_case);
        builder.match_kind(if semantics == "overlapping" { MatchKind::Standard } else { MatchKind::LeftmostLongest });
        builder.build(&patterns)
    };
    let mut best_build = f64::INFINITY;
    let mut ac = build();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        ac = build();
        best_build = best_build.min(t.elapsed().as_secs_f64());
    }
    let mut best_scan = f64::INFINITY;
    let mut count = 0usize;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        count = if semantics == "overlapping" {
            ac.find_overlapping_iter(&haystack).count()
        } else {
            ac.find_iter(&haystack).count()
        };
        best_scan = best_scan.min(t.elapsed().as_secs_f64());
    }
    let kind = match dfa { None => "auto", Some(true) => "dfa", Some(false) => "nfa" };
    println!(
        "{{\"tool\":\"rust aho-corasick 0.7.19 ({})\",\"count\":{},\"build_ms\":{},\"scan_s\":{},\"mb_per_s\":{},\"memory\":{}}}",
        kind, count, best_build * 1000.0, best_scan, haystack.len() as f64 / 1e6 / best_scan, ac.heap_bytes()
    );
}

#![no_main]
// Placeholder: the parser fuzz target is written with the parser.
use libfuzzer_sys::fuzz_target;
fuzz_target!(|data: &[u8]| {
    let _ = data;
});

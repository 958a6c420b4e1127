//! Memory per unit: heap bytes held by a built catalog and by fully loaded units, beyond the unit
//! files' own text, on synthetic trees of 1k, 10k and 100k units. Not a criterion timing: it counts
//! allocations with a counting global allocator and prints a table.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use unitlab_benches::{synth_memfs, system_paths};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::load::{load_unit, Catalog, LoadOptions};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn main() {
    println!("| units | catalog bytes/unit | loaded units bytes/unit (beyond file text) | file text bytes/unit |");
    println!("|---:|---:|---:|---:|");
    for n in [1_000usize, 10_000, 100_000] {
        let (fs, text_bytes) = synth_memfs(n);
        let paths = system_paths();
        let mut sink: Vec<Diagnostic> = Vec::new();
        let before = live();
        let catalog = Catalog::build(&fs, &paths, &mut sink);
        let catalog_bytes = live() - before;
        let names: Vec<_> = catalog
            .entries()
            .filter_map(|e| unitlab_engine::name::UnitName::new(e.name.as_str()).ok())
            .collect();
        let options = LoadOptions::default();
        let before = live();
        let units: Vec<_> = names
            .iter()
            .map(|n| load_unit(&fs, &catalog, n, &options, &mut sink))
            .collect();
        let unit_bytes = live() - before - text_bytes as isize;
        let count = units.len().max(1) as isize;
        println!(
            "| {n} | {} | {} | {} |",
            catalog_bytes / count,
            unit_bytes / count,
            text_bytes as isize / count
        );
        drop(units);
    }
}

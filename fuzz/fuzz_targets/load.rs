//! Fuzz target for loading a unit (`load::load_unit`) from arbitrary bytes, as a fragment and as a
//! drop-in of several types: nothing panics, the setting scan (`load::scan_settings`) stops at a
//! line the file has, and a fatal refusal in the fragment makes the unit `bad-setting` with no
//! drop-in read.
#![no_main]
use libfuzzer_sys::fuzz_target;
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::{load_unit, Catalog, LoadOptions, LoadState, LookupPaths, MapEnv, Scope};
use unitlab_engine::name::UnitName;

fuzz_target!(|data: &[u8]| {
    for name in ["f.service", "f@i.service", "f.socket", "dev-sda.swap", "mnt-f.mount"] {
        let fs = MemFs::new();
        let dir = "/etc/systemd/system";
        let template = name.replace("@i", "@");
        if fs.add_file(&format!("{dir}/{template}"), data).is_err()
            || fs.add_file(&format!("{dir}/{template}.d/x.conf"), data).is_err()
        {
            return;
        }
        let Ok(paths) = LookupPaths::new(Scope::System, None, &MapEnv::new("/")) else {
            return;
        };
        let mut diags = Vec::new();
        let catalog = Catalog::build(&fs, &paths, &mut diags);
        let unit_name = UnitName::new(name).expect("valid name");
        let unit = load_unit(&fs, &catalog, &unit_name, &LoadOptions::default(), &mut diags);
        if let Some(f) = &unit.fragment {
            let scan = unitlab_engine::load::scan_settings(&unit_name, &f.parsed);
            if let Some((line, _)) = scan.fatal {
                assert!(line as usize <= data.split(|&b| b == b'\n').count());
                assert_eq!(unit.load_state, LoadState::BadSetting);
                assert!(unit.dropins.is_empty());
            }
        }
        for d in &diags {
            let _ = d.to_string();
        }
    }
});

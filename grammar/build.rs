//! Build script: runs LALRPOP over grammar/ into OUT_DIR (nothing generated is committed).

fn main() {
    println!("cargo:rerun-if-changed=grammar/minipy.lalrpop");
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .use_cargo_dir_conventions()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("the LALRPOP grammar in grammar/ must compile");
}

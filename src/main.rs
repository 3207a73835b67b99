fn main() {
    println!("crashlab");
}

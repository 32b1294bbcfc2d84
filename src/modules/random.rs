//! The `random` module: CPython's Mersenne Twister (MT19937), seeded the way CPython
//! seeds it, and random.py's algorithms on top, so `random.seed(42); random.random()`
//! prints what CPython prints. Without a `random.seed` call the generator starts from
//! `--seed` (CPython would use the OS's entropy), so runs repeat.

use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive, Zero};

type R = PyResult<Value>;

pub fn make(vm: &mut Vm) -> PyResult<crate::vm::ObjRef> {
    Ok(vm.new_module(
        "_random",
        &[
            ("_new_state", new_state),
            ("_call_with_state", call_with_state),
            ("seed", seed),
            ("random", random),
            ("randint", randint),
            ("choice", choice),
            ("choices", choices),
            ("shuffle", shuffle),
            ("sample", sample),
            ("uniform", uniform),
            ("randrange", randrange),
            ("getrandbits", getrandbits),
            ("gauss", gauss),
        ],
    ))
}

const N: usize = 624;
const M: usize = 397;

/// The module's generator and those of `random.Random` instances (see `call_with_state`).
#[derive(Clone)]
struct Generators {
    main: MersenneTwister,
    instances: Vec<MersenneTwister>,
}

impl Generators {
    /// Makes instance `index`'s generator the one the module functions use, or back.
    fn swap(&mut self, index: usize) {
        std::mem::swap(&mut self.main, &mut self.instances[index]);
    }
}

/// The generators, the module's seeded from `--seed` until `random.seed` is called.
fn generators(vm: &mut Vm) -> &mut Generators {
    let seed = vm.seed;
    vm.module_state(|| Generators {
        main: MersenneTwister::seeded(&BigInt::from(seed)),
        instances: Vec::new(),
    })
}

/// MT19937's state, as `_randommodule.c` keeps it, and random.py's spare Gaussian.
#[derive(Clone)]
pub struct MersenneTwister {
    state: [u32; N],
    index: usize,
    gauss_next: Option<f64>,
}

impl MersenneTwister {
    /// The generator `random.seed(seed)` makes for an int seed.
    pub fn seeded(seed: &BigInt) -> Self {
        let mut mt = MersenneTwister {
            state: [0; N],
            index: N,
            gauss_next: None,
        };
        // The absolute value's 32-bit words, least significant first; [0] for zero.
        let mut key = seed.abs().to_u32_digits().1;
        if key.is_empty() {
            key.push(0);
        }
        mt.init_by_array(&key);
        mt
    }

    fn init_genrand(&mut self, s: u32) {
        self.state[0] = s;
        for i in 1..N {
            let prev = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
        }
        self.state[0] = 0x8000_0000;
        self.gauss_next = None;
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            for k in 0..N {
                let y = (self.state[k] & 0x8000_0000) | (self.state[(k + 1) % N] & 0x7fff_ffff);
                let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
                self.state[k] = self.state[(k + M) % N] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// random(): 53 random bits as a float in [0, 1).
    pub fn random(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// getrandbits(k), k > 0: 32-bit words, least significant first, the last one cut.
    fn getrandbits(&mut self, k: u64) -> BigInt {
        if k <= 32 {
            return BigInt::from(self.next_u32() >> (32 - k));
        }
        let mut words = Vec::new();
        let mut left = k;
        while left > 0 {
            let w = self.next_u32();
            words.push(if left < 32 { w >> (32 - left) } else { w });
            left = left.saturating_sub(32);
        }
        BigInt::from_slice(Sign::Plus, &words)
    }

    /// random.py's _randbelow: getrandbits(n.bit_length()) until it is below n.
    fn randbelow(&mut self, n: &BigInt) -> BigInt {
        if n.is_zero() {
            return BigInt::zero();
        }
        let k = n.bits();
        loop {
            let r = self.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }

    fn randbelow_usize(&mut self, n: usize) -> usize {
        self.randbelow(&BigInt::from(n)).to_usize().unwrap_or(0)
    }
}

fn arg(args: &Args, i: usize) -> Option<Value> {
    args.pos.get(i).copied()
}

fn float_of(vm: &mut Vm, v: Option<Value>) -> PyResult<f64> {
    let v = v.unwrap_or(Value::None);
    vm.to_f64(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.type_error(&format!("must be real number, not {t}"))
    })
}

/// An int argument of randrange, refusing a float with a fractional part as random.py does.
fn whole(vm: &mut Vm, v: Value, which: &str) -> PyResult<BigInt> {
    if let Some(i) = vm.as_bigint(v).filter(|_| !matches!(v, Value::Float(_))) {
        return Ok(i);
    }
    if let Value::Float(f) = v
        && f.fract() == 0.0
        && f.is_finite()
    {
        return Ok(num_traits::FromPrimitive::from_f64(f).unwrap_or_default());
    }
    Err(vm.new_exception(
        "ValueError",
        &format!("non-integer {which} for randrange()"),
    ))
}

fn seed(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = arg(&args, 0).unwrap_or(Value::None);
    let key = match v {
        Value::None => BigInt::from(vm.seed),
        _ => match vm.as_bigint(v).filter(|_| !matches!(v, Value::Float(_))) {
            Some(i) => i,
            // Other seeds go through hash(), as CPython's version 1 seeding does for
            // floats (str and bytes differ from CPython, which hashes them with SHA-512).
            None => {
                let h = vm.hash_value(v)?;
                vm.as_bigint(h).unwrap_or_default()
            }
        },
    };
    generators(vm).main = MersenneTwister::seeded(&key);
    Ok(Value::None)
}

/// `_new_state(seed)`: a generator of its own for a `random.Random` instance, seeded as
/// `random.seed(seed)` seeds the module's; returns its number.
fn new_state(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let seed = BigInt::from(vm.seed);
    let instances = &mut generators(vm).instances;
    let index = instances.len();
    instances.push(MersenneTwister::seeded(&seed));
    let seed_name = vm.new_str("seed");
    let seed_args = vec![
        Value::Int(index as i64),
        seed_name,
        arg(&args, 0).unwrap_or(Value::None),
    ];
    call_with_state(vm, None, Args::new(seed_args))?;
    Ok(Value::Int(index as i64))
}

/// `_call_with_state(number, name, *args)`: the module function `name` run on generator
/// `number` instead of the module's, in one native call (no thread switch between).
fn call_with_state(vm: &mut Vm, _: Option<Value>, mut args: Args) -> R {
    let index = arg(&args, 0)
        .and_then(|v| vm.as_index(v))
        .and_then(|i| usize::try_from(i).ok())
        .filter(|i| *i < generators(vm).instances.len())
        .ok_or_else(|| vm.type_error("_call_with_state: no such generator"))?;
    let name = arg(&args, 1)
        .and_then(|v| vm.str_of(v).map(str::to_string))
        .unwrap_or_default();
    let function: fn(&mut Vm, Option<Value>, Args) -> R = match name.as_str() {
        "seed" => seed,
        "random" => random,
        "uniform" => uniform,
        "getrandbits" => getrandbits,
        "randrange" => randrange,
        "randint" => randint,
        "choice" => choice,
        "shuffle" => shuffle,
        "sample" => sample,
        "choices" => choices,
        "gauss" => gauss,
        _ => return Err(vm.type_error("_call_with_state: no such method")),
    };
    args.pos.drain(..2);
    generators(vm).swap(index);
    let result = function(vm, None, args);
    generators(vm).swap(index);
    result
}

fn random(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Float(generators(vm).main.random()))
}

fn uniform(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let a = float_of(vm, arg(&args, 0))?;
    let b = float_of(vm, arg(&args, 1))?;
    Ok(Value::Float(a + (b - a) * generators(vm).main.random()))
}

fn getrandbits(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let k = arg(&args, 0).and_then(|v| vm.as_index(v)).unwrap_or(-1);
    if k < 0 {
        return Err(vm.new_exception("ValueError", "number of bits must be non-negative"));
    }
    if k == 0 {
        return Ok(Value::Int(0));
    }
    if k > i64::from(i32::MAX) {
        let message = "signed integer is greater than maximum";
        return Err(vm.new_exception("OverflowError", message));
    }
    // (The words, then the int made of them.)
    vm.check_alloc(k as u64 / 8, 2)?;
    let r = generators(vm).main.getrandbits(k as u64);
    Ok(vm.new_int(r))
}

/// random.py's randrange(start, stop=None, step=1).
fn randrange_values(vm: &mut Vm, start: Value, stop: Option<Value>, step: Value) -> R {
    let istart = whole(vm, start, "arg 1")?;
    let Some(stop) = stop.filter(|s| *s != Value::None) else {
        if istart.is_positive() {
            let r = generators(vm).main.randbelow(&istart);
            return Ok(vm.new_int(r));
        }
        return Err(vm.new_exception("ValueError", "empty range for randrange()"));
    };
    let istop = whole(vm, stop, "stop")?;
    let width = &istop - &istart;
    let istep = whole(vm, step, "step")?;
    if istep == BigInt::from(1) {
        if width.is_positive() {
            let r = generators(vm).main.randbelow(&width);
            return Ok(vm.new_int(istart + r));
        }
        return Err(vm.new_exception(
            "ValueError",
            &format!("empty range for randrange() ({istart}, {istop}, {width})"),
        ));
    }
    let n = if istep.is_positive() {
        num_integer::Integer::div_floor(&(&width + &istep - 1), &istep)
    } else if istep.is_negative() {
        num_integer::Integer::div_floor(&(&width + &istep + 1), &istep)
    } else {
        return Err(vm.new_exception("ValueError", "zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(vm.new_exception("ValueError", "empty range for randrange()"));
    }
    let r = generators(vm).main.randbelow(&n);
    Ok(vm.new_int(istart + istep * r))
}

fn randrange(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let Some(start) = arg(&args, 0) else {
        return Err(vm.type_error("randrange() missing 1 required positional argument: 'start'"));
    };
    randrange_values(
        vm,
        start,
        arg(&args, 1),
        arg(&args, 2).unwrap_or(Value::Int(1)),
    )
}

fn randint(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (Some(a), Some(b)) = (arg(&args, 0), arg(&args, 1)) else {
        return Err(vm.type_error("randint() missing 2 required positional arguments: 'a' and 'b'"));
    };
    let stop = vm.binary_op(crate::bytecode::Opcode::BINARY_ADD, b, Value::Int(1))?;
    randrange_values(vm, a, Some(stop), Value::Int(1))
}

fn choice(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let seq = arg(&args, 0).unwrap_or(Value::None);
    let n = crate::objects::items::length(vm, seq)?;
    if n == 0 {
        return Err(vm.new_exception("IndexError", "Cannot choose from an empty sequence"));
    }
    let i = generators(vm).main.randbelow_usize(n);
    vm.getitem(seq, Value::Int(i as i64))
}

fn shuffle(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let list = arg(&args, 0).unwrap_or(Value::None);
    let n = crate::objects::items::length(vm, list)?;
    for i in (1..n).rev() {
        let j = generators(vm).main.randbelow_usize(i + 1);
        let (a, b) = (Value::Int(i as i64), Value::Int(j as i64));
        let (x, y) = (vm.getitem(list, a)?, vm.getitem(list, b)?);
        vm.setitem(list, a, y)?;
        vm.setitem(list, b, x)?;
    }
    Ok(Value::None)
}

/// random.py's sample(population, k): a partial shuffle of a copy for small populations,
/// else picks remembered in a set.
fn sample(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let population = arg(&args, 0).unwrap_or(Value::None);
    if matches!(
        population.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::Set(_) | Object::FrozenSet(_) | Object::Dict(_))
    ) {
        return Err(vm.type_error("Population must be a sequence or set.  For dicts, use list(d)."));
    }
    let items = vm.collect_iterable(population)?;
    let k = arg(&args, 1)
        .or_else(|| crate::objects::args::kwarg(&args, "k"))
        .and_then(|v| vm.as_index(v))
        .unwrap_or(-1);
    let n = items.len();
    if k < 0 || k as usize > n {
        return Err(vm.new_exception("ValueError", "Sample larger than population or is negative"));
    }
    let k = k as usize;
    let mut setsize = 21usize;
    if k > 5 {
        let exponent = ((k * 3) as f64).ln() / 4f64.ln();
        setsize += 4usize.pow(exponent.ceil() as u32);
    }
    let mut result = Vec::with_capacity(k);
    if n <= setsize {
        let mut pool = items;
        for i in 0..k {
            let j = generators(vm).main.randbelow_usize(n - i);
            result.push(pool[j]);
            pool[j] = pool[n - i - 1];
        }
    } else {
        let mut selected = std::collections::HashSet::new();
        for _ in 0..k {
            let mut j = generators(vm).main.randbelow_usize(n);
            while selected.contains(&j) {
                j = generators(vm).main.randbelow_usize(n);
            }
            selected.insert(j);
            result.push(items[j]);
        }
    }
    Ok(vm.new_list(result))
}

/// random.py's choices(population, weights=None, *, cum_weights=None, k=1).
fn choices(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    crate::objects::args::check_keywords(vm, &args, "choices", &["weights", "cum_weights", "k"])?;
    let population = vm.collect_iterable(arg(&args, 0).unwrap_or(Value::None))?;
    let n = population.len();
    let k = crate::objects::args::kwarg(&args, "k")
        .and_then(|v| vm.as_index(v))
        .unwrap_or(1)
        .max(0) as usize;
    let weights = arg(&args, 1).or_else(|| crate::objects::args::kwarg(&args, "weights"));
    let cum = crate::objects::args::kwarg(&args, "cum_weights");
    let cum_weights: Vec<f64> = match (weights.filter(|w| *w != Value::None), cum) {
        (None, None) => {
            let picks = (0..k)
                .map(|_| population[(generators(vm).main.random() * n as f64) as usize])
                .collect();
            return Ok(vm.new_list(picks));
        }
        (Some(_), Some(_)) => {
            return Err(vm.type_error("Cannot specify both weights and cumulative weights"));
        }
        (Some(w), None) => {
            let mut total = 0.0;
            let mut acc = Vec::new();
            for v in vm.collect_iterable(w)? {
                total += float_of(vm, Some(v))?;
                acc.push(total);
            }
            acc
        }
        (None, Some(c)) => {
            let mut acc = Vec::new();
            for v in vm.collect_iterable(c)? {
                acc.push(float_of(vm, Some(v))?);
            }
            acc
        }
    };
    if cum_weights.len() != n {
        return Err(vm.new_exception(
            "ValueError",
            "The number of weights does not match the population",
        ));
    }
    let total = cum_weights.last().copied().unwrap_or(0.0);
    let mut picks = Vec::with_capacity(k);
    for _ in 0..k {
        let x = generators(vm).main.random() * total;
        // bisect_right over the first n - 1 cumulative weights.
        let i = cum_weights[..n.saturating_sub(1)].partition_point(|c| *c <= x);
        picks.push(population[i]);
    }
    Ok(vm.new_list(picks))
}

/// random.py's gauss(mu, sigma), which makes two values at a time and keeps one.
fn gauss(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let mu = float_of(vm, arg(&args, 0))?;
    let sigma = float_of(vm, arg(&args, 1))?;
    let z = match generators(vm).main.gauss_next.take() {
        Some(z) => z,
        None => {
            let x2pi = generators(vm).main.random() * std::f64::consts::TAU;
            let g2rad = (-2.0 * (1.0 - generators(vm).main.random()).ln()).sqrt();
            generators(vm).main.gauss_next = Some(x2pi.sin() * g2rad);
            x2pi.cos() * g2rad
        }
    };
    Ok(Value::Float(mu + z * sigma))
}

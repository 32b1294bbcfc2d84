//! The kernel's requests and replies as bytes, for real processes (`--sched os`), which
//! reach the kernel over a socket: each message is a frame (its length as 4 bytes, then a
//! tag byte and the fields, integers as 8 little-endian bytes, byte strings with their
//! length first). A frame that does not decode is an error for the connection to drop.

use super::kernel::{Fault, Id, Reply, Request, SemKind};
use std::io::{self, Read, Write};

/// Frames longer than this are refused (a broken or hostile peer).
const MAX_FRAME: usize = 1 << 30;

/// Writes one frame.
pub fn send(out: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(|_| invalid("frame too long"))?;
    let mut frame = Vec::with_capacity(4 + payload.len());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(payload);
    out.write_all(&frame)
}

/// Reads one frame; Ok(None) at the end of the stream.
pub fn receive(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(invalid("frame too long"));
    }
    let mut payload = vec![0; len];
    input.read_exact(&mut payload)?;
    Ok(Some(payload))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn tag(mut self, t: u8) -> Self {
        self.0.push(t);
        self
    }
    fn u(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn i(self, v: i64) -> Self {
        self.u(v as u64)
    }
    fn b(self, v: bool) -> Self {
        self.u(u64::from(v))
    }
    fn bytes(mut self, v: &[u8]) -> Self {
        self = self.u(v.len() as u64);
        self.0.extend_from_slice(v);
        self
    }
    fn pairs(mut self, v: &[(Id, u64)]) -> Self {
        self = self.u(v.len() as u64);
        for &(a, b) in v {
            self = self.u(a).u(b);
        }
        self
    }
}

struct In<'a>(&'a [u8]);

impl In<'_> {
    fn u(&mut self) -> io::Result<u64> {
        let (head, rest) = self
            .0
            .split_first_chunk::<8>()
            .ok_or_else(|| invalid("short frame"))?;
        self.0 = rest;
        Ok(u64::from_le_bytes(*head))
    }
    fn i(&mut self) -> io::Result<i64> {
        Ok(self.u()? as i64)
    }
    fn b(&mut self) -> io::Result<bool> {
        Ok(self.u()? != 0)
    }
    fn usize(&mut self) -> io::Result<usize> {
        usize::try_from(self.u()?).map_err(|_| invalid("size out of range"))
    }
    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.usize()?;
        if n > self.0.len() {
            return Err(invalid("short frame"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head.to_vec())
    }
    fn pairs(&mut self) -> io::Result<Vec<(Id, u64)>> {
        let n = self.usize()?;
        if n > self.0.len() / 16 {
            return Err(invalid("short frame"));
        }
        (0..n).map(|_| Ok((self.u()?, self.u()?))).collect()
    }
}

fn split(frame: &[u8]) -> io::Result<(u8, In<'_>)> {
    let (&tag, rest) = frame.split_first().ok_or_else(|| invalid("empty frame"))?;
    Ok((tag, In(rest)))
}

pub fn encode_request(r: &Request) -> Vec<u8> {
    let o = Out::default();
    let o = match r {
        Request::NewSem { kind, value, max } => {
            o.tag(0).b(*kind == SemKind::Recursive).i(*value).i(*max)
        }
        Request::SemAcquire { id, thread } => o.tag(1).u(*id).u(*thread),
        Request::SemRelease { id, thread } => o.tag(2).u(*id).u(*thread),
        Request::SemInfo { id, thread } => o.tag(3).u(*id).u(*thread),
        Request::NewQueue { maxsize, joinable } => o.tag(4).i(*maxsize).b(*joinable),
        Request::QueuePut { id, data } => o.tag(5).u(*id).bytes(data),
        Request::QueueGet { id } => o.tag(6).u(*id),
        Request::QueueInfo { id } => o.tag(7).u(*id),
        Request::TaskDone { id } => o.tag(8).u(*id),
        Request::NewPipe => o.tag(9),
        Request::PipeSend { end, data } => o.tag(10).u(*end).bytes(data),
        Request::PipeRecv { end } => o.tag(11).u(*end),
        Request::PipePoll { end } => o.tag(12).u(*end),
        Request::PipeClose { end } => o.tag(13).u(*end),
        Request::PipeHold { end, process } => o.tag(14).u(*end).u(*process),
        Request::NewMemory { size } => o.tag(15).u(*size as u64),
        Request::MemRead { id, offset, len } => o.tag(16).u(*id).u(*offset as u64).u(*len as u64),
        Request::MemWrite { id, offset, data } => o.tag(17).u(*id).u(*offset as u64).bytes(data),
        Request::NewProcess { fork } => o.tag(18).b(*fork),
        Request::Exited { process, code } => o.tag(19).u(*process).i(*code),
        Request::ProcessStatus { process } => o.tag(20).u(*process),
        Request::Wait { objects, token } => o.tag(21).pairs(objects).u(*token),
        Request::Cancel { token } => o.tag(22).u(*token),
        Request::Changed { objects } => o.tag(23).pairs(objects),
        Request::QueueReserve { id, delta } => o.tag(24).u(*id).i(*delta),
        Request::QueueSend { id, data } => o.tag(25).u(*id).bytes(data),
    };
    o.0
}

pub fn decode_request(frame: &[u8]) -> io::Result<Request> {
    let (tag, mut f) = split(frame)?;
    Ok(match tag {
        0 => Request::NewSem {
            kind: if f.b()? {
                SemKind::Recursive
            } else {
                SemKind::Semaphore
            },
            value: f.i()?,
            max: f.i()?,
        },
        1 => Request::SemAcquire {
            id: f.u()?,
            thread: f.u()?,
        },
        2 => Request::SemRelease {
            id: f.u()?,
            thread: f.u()?,
        },
        3 => Request::SemInfo {
            id: f.u()?,
            thread: f.u()?,
        },
        4 => Request::NewQueue {
            maxsize: f.i()?,
            joinable: f.b()?,
        },
        5 => Request::QueuePut {
            id: f.u()?,
            data: f.bytes()?,
        },
        6 => Request::QueueGet { id: f.u()? },
        7 => Request::QueueInfo { id: f.u()? },
        8 => Request::TaskDone { id: f.u()? },
        9 => Request::NewPipe,
        10 => Request::PipeSend {
            end: f.u()?,
            data: f.bytes()?,
        },
        11 => Request::PipeRecv { end: f.u()? },
        12 => Request::PipePoll { end: f.u()? },
        13 => Request::PipeClose { end: f.u()? },
        14 => Request::PipeHold {
            end: f.u()?,
            process: f.u()?,
        },
        15 => Request::NewMemory { size: f.usize()? },
        16 => Request::MemRead {
            id: f.u()?,
            offset: f.usize()?,
            len: f.usize()?,
        },
        17 => Request::MemWrite {
            id: f.u()?,
            offset: f.usize()?,
            data: f.bytes()?,
        },
        18 => Request::NewProcess { fork: f.b()? },
        19 => Request::Exited {
            process: f.u()?,
            code: f.i()?,
        },
        20 => Request::ProcessStatus { process: f.u()? },
        21 => Request::Wait {
            objects: f.pairs()?,
            token: f.u()?,
        },
        22 => Request::Cancel { token: f.u()? },
        23 => Request::Changed {
            objects: f.pairs()?,
        },
        24 => Request::QueueReserve {
            id: f.u()?,
            delta: f.i()?,
        },
        25 => Request::QueueSend {
            id: f.u()?,
            data: f.bytes()?,
        },
        _ => return Err(invalid("unknown request")),
    })
}

fn fault_code(f: Fault) -> u64 {
    match f {
        Fault::ReleasedTooMany => 0,
        Fault::NotOwner => 1,
        Fault::TaskDoneTooMany => 2,
        Fault::BrokenPipe => 3,
        Fault::Closed => 4,
    }
}

fn fault_of(code: u64) -> io::Result<Fault> {
    Ok(match code {
        0 => Fault::ReleasedTooMany,
        1 => Fault::NotOwner,
        2 => Fault::TaskDoneTooMany,
        3 => Fault::BrokenPipe,
        4 => Fault::Closed,
        _ => return Err(invalid("unknown fault")),
    })
}

pub fn encode_reply(r: &Reply) -> Vec<u8> {
    let o = Out::default();
    let o = match r {
        Reply::Done => o.tag(0),
        Reply::Id(id) => o.tag(1).u(*id),
        Reply::Ids(a, b) => o.tag(2).u(*a).u(*b),
        Reply::Flag(flag, v) => o.tag(3).b(*flag).u(*v),
        Reply::Data(None, v) => o.tag(4).u(*v),
        Reply::Data(Some(d), v) => o.tag(5).u(*v).bytes(d),
        Reply::Eof => o.tag(6),
        Reply::Sem {
            value,
            mine,
            count,
            owner,
        } => {
            let o = o.tag(7).i(*value).b(*mine).u(*count);
            match owner {
                None => o.b(false),
                Some((p, t)) => o.b(true).u(*p).u(*t),
            }
        }
        Reply::Queue {
            size,
            unfinished,
            version,
            pending,
        } => o
            .tag(8)
            .u(*size as u64)
            .i(*unfinished)
            .u(*version)
            .i(*pending),
        Reply::Process { key, record } => o.tag(9).u(*key).u(*record),
        Reply::Status {
            exitcode,
            version,
            record,
        } => {
            let o = o.tag(10).u(*version).u(*record);
            match exitcode {
                None => o.b(false),
                Some(c) => o.b(true).i(*c),
            }
        }
        Reply::Error(f) => o.tag(11).u(fault_code(*f)),
    };
    o.0
}

pub fn decode_reply(frame: &[u8]) -> io::Result<Reply> {
    let (tag, mut f) = split(frame)?;
    Ok(match tag {
        0 => Reply::Done,
        1 => Reply::Id(f.u()?),
        2 => Reply::Ids(f.u()?, f.u()?),
        3 => Reply::Flag(f.b()?, f.u()?),
        4 => Reply::Data(None, f.u()?),
        5 => {
            let v = f.u()?;
            Reply::Data(Some(f.bytes()?), v)
        }
        6 => Reply::Eof,
        7 => Reply::Sem {
            value: f.i()?,
            mine: f.b()?,
            count: f.u()?,
            owner: if f.b()? { Some((f.u()?, f.u()?)) } else { None },
        },
        8 => Reply::Queue {
            size: f.usize()?,
            unfinished: f.i()?,
            version: f.u()?,
            pending: f.i()?,
        },
        9 => Reply::Process {
            key: f.u()?,
            record: f.u()?,
        },
        10 => {
            let (version, record) = (f.u()?, f.u()?);
            let exitcode = if f.b()? { Some(f.i()?) } else { None };
            Reply::Status {
                exitcode,
                version,
                record,
            }
        }
        11 => Reply::Error(fault_of(f.u()?)?),
        _ => return Err(invalid("unknown reply")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_survive_the_wire() {
        let requests = [
            Request::QueuePut {
                id: 7,
                data: vec![1, 2, 3],
            },
            Request::Wait {
                objects: vec![(1, 2), (3, 4)],
                token: 9,
            },
            Request::QueueReserve { id: 3, delta: -1 },
            Request::QueueSend {
                id: 3,
                data: vec![4],
            },
            Request::NewSem {
                kind: SemKind::Recursive,
                value: -1,
                max: 1,
            },
        ];
        for r in &requests {
            let back = decode_request(&encode_request(r)).expect("decodes");
            assert_eq!(format!("{back:?}"), format!("{r:?}"));
        }
        let replies = [
            Reply::Data(Some(vec![5]), 3),
            Reply::Status {
                exitcode: Some(-15),
                version: 2,
                record: 4,
            },
            Reply::Sem {
                value: 0,
                mine: true,
                count: 2,
                owner: Some((1, 2)),
            },
            Reply::Error(Fault::BrokenPipe),
            Reply::Queue {
                size: 2,
                unfinished: 3,
                version: 4,
                pending: 1,
            },
        ];
        for r in &replies {
            assert_eq!(&decode_reply(&encode_reply(r)).expect("decodes"), r);
        }
        assert!(decode_reply(&[5, 1]).is_err());
    }
}

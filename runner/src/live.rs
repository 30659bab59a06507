//! Printing the report while it happens: the header at once, each `[i/N]` block as soon as
//! it and every block before it are complete (so the order stays the command line's), the
//! connectivity test and the summary at the end. With one slow host the others' blocks are
//! on screen long before it answers.

use std::io::Write;

use rdma_phase::ClusterPlan;

use crate::render::{Sections, Style};
use crate::report::Report;

pub struct LivePrinter<'a> {
    sections: Sections<'a>,
    header_printed: bool,
    blocks_printed: usize,
    /// The first write that failed; nothing more is attempted after it.
    failed: Option<std::io::Error>,
}

impl<'a> LivePrinter<'a> {
    pub fn new(plan: &'a ClusterPlan, style: &'a Style) -> Self {
        Self {
            sections: Sections { plan, style },
            header_printed: false,
            blocks_printed: 0,
            failed: None,
        }
    }

    /// Whether [`LivePrinter::update`] would print anything now.
    pub fn has_news(&self, report: &Report) -> bool {
        !self.header_printed
            || (self.blocks_printed < self.sections.plan.nodes.len()
                && self.sections.block_ready(report, self.blocks_printed))
    }

    /// Print whatever has become ready.
    pub fn update(&mut self, out: &mut dyn Write, report: &Report) {
        if !self.header_printed {
            let header = self.sections.header(report);
            self.emit(out, &header);
            self.header_printed = true;
        }
        while self.blocks_printed < self.sections.plan.nodes.len()
            && self.sections.block_ready(report, self.blocks_printed)
        {
            let block = self.sections.block(report, self.blocks_printed);
            self.emit(out, &block);
            self.blocks_printed += 1;
        }
    }

    /// Print the rest: blocks not shown yet (all of them ready or cut short now), then the
    /// connectivity test, the summary and the recap. The result of all the writes.
    pub fn finish(mut self, out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
        if !self.header_printed {
            let header = self.sections.header(report);
            self.emit(out, &header);
        }
        for index in self.blocks_printed..self.sections.plan.nodes.len() {
            let block = self.sections.block(report, index);
            self.emit(out, &block);
        }
        let tail = self.sections.tail(report);
        self.emit(out, &tail);
        self.failed.map_or(Ok(()), Err)
    }

    fn emit(&mut self, out: &mut dyn Write, text: &str) {
        if self.failed.is_some() || text.is_empty() {
            return;
        }
        let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        if let Err(error) = written {
            self.failed = Some(error);
        }
    }
}

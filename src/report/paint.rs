//! Colour for the text reporters: on or off as the caller decided, one style per [`Tone`].

use owo_colors::{OwoColorize, Style};

use super::line::Tone;

#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

impl Painter {
    pub fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn tone(&self, text: &str, tone: Tone) -> String {
        let style = match tone {
            Tone::Good => Style::new().green(),
            Tone::Bad => Style::new().red(),
            Tone::Warn => Style::new().yellow(),
            Tone::Plain => return text.to_owned(),
            Tone::Dim => Style::new().dimmed(),
        };
        self.paint(text, style)
    }
}

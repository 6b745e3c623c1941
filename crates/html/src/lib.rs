//! Encoding detection and the HTML front end (to be written).

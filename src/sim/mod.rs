//! A simulator of the four vendor APIs over seeded generated data.

//! One driver per platform: each is the single home of that platform's facts.

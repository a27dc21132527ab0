"""Decide: what kind of help fits this person now (the learner state, the policy and its reasons)."""

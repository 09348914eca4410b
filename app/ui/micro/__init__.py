"""微能力 page: each teacher's points under the programme's rule, and the whole-school matrix."""

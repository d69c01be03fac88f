// Package suggest finds what a person probably meant: the closest of a list
// of known words to one that was mistyped, for "did you mean" lines.
package suggest

// Distance is the Levenshtein distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns the known word nearest to got, or "" when none is within
// a third of got's length (at least 2 edits): a far-off word is noise, not
// a suggestion.
func Closest(got string, known []string) string {
	best, bestD := "", 0
	limit := max(2, len([]rune(got))/3)
	for _, k := range known {
		if d := Distance(got, k); d <= limit && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	return best
}

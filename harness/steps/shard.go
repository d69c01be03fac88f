package steps

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/flagharness/harness/harness/manifest"
)

// Shard is one of Total runners that together run every scenario exactly
// once. Index is 1-based; the zero Shard runs everything.
type Shard struct{ Index, Total int }

// ParseShard reads "i/n", e.g. "2/4".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, manifest.Usagef("--shard %q: give i/n with 1 <= i <= n, e.g. 2/4", s)
	}
	return Shard{Index: i, Total: n}, nil
}

func (s Shard) active() bool { return s.Total > 1 }

// otherShardTag marks, in the text godog reads, the scenarios another
// shard runs; Run adds "~@harness-other-shard" to the tag filter.
const otherShardTag = "@harness-other-shard"

var scenarioKeyword = regexp.MustCompile(`^(\s*)(?:Scenario|Scenario Outline|Scenario Template|Example):\s*(.*?)\s*$`)

// owns reports whether the shard runs the scenario: a stable hash of the
// feature's path under the features folder, the scenario's name and its
// rank among scenarios of that name, so every runner computes the same split
// whatever the machine and the folder it runs from.
func (s Shard) owns(rel, name string, rank int) bool {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s\n%s\n%d", filepath.ToSlash(rel), name, rank)
	return int(h.Sum32()%uint32(s.Total)) == s.Index-1
}

// split tags the scenarios of src that other shards run, keeping every line
// where it was when it can (the tag goes on the tag line or the blank line
// above the scenario), so reported lines stay those of the file. It returns
// the text and how many scenarios the file has and this shard runs.
func (s Shard) split(rel string, src []byte) (out []byte, total, mine int) {
	lines := strings.Split(string(src), "\n")
	scenarioLines := scenarioLineSet(src)
	seen := map[string]int{}
	var res []string
	for i, line := range lines {
		m := scenarioKeyword.FindStringSubmatch(line)
		if m == nil || (scenarioLines != nil && !scenarioLines[i+1]) {
			res = append(res, line)
			continue
		}
		total++
		name := m[2]
		rank := seen[name]
		seen[name]++
		if s.owns(rel, name, rank) {
			mine++
			res = append(res, line)
			continue
		}
		j := len(res) - 1
		for j >= 0 && strings.HasPrefix(strings.TrimSpace(res[j]), "#") {
			j--
		}
		switch {
		case j >= 0 && strings.HasPrefix(strings.TrimSpace(res[j]), "@"):
			res[j] += " " + otherShardTag
		case j >= 0 && strings.TrimSpace(res[j]) == "":
			res[j] = m[1] + otherShardTag
		default:
			res = append(res, m[1]+otherShardTag) // the lines below move by one
		}
		res = append(res, line)
	}
	return []byte(strings.Join(res, "\n")), total, mine
}

// withoutOtherShards adds the shard's exclusion to each alternative of a
// godog tag expression ("," is or, "&&" is and).
func withoutOtherShards(tags string) string {
	if strings.TrimSpace(tags) == "" {
		return "~" + otherShardTag
	}
	alts := strings.Split(tags, ",")
	for i, a := range alts {
		alts[i] = strings.TrimSpace(a) + " && ~" + otherShardTag
	}
	return strings.Join(alts, ",")
}

// scenarioLineSet is the lines where the Gherkin parser finds a scenario,
// so a "Scenario:" inside a doc string is not taken for one; nil when the
// file does not parse (godog then reports it).
func scenarioLineSet(src []byte) map[int]bool {
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(src), (&messages.Incrementing{}).NewId)
	if err != nil || doc.Feature == nil {
		return nil
	}
	set := map[int]bool{}
	for _, c := range doc.Feature.Children {
		if c.Scenario != nil {
			set[int(c.Scenario.Location.Line)] = true
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					set[int(rc.Scenario.Location.Line)] = true
				}
			}
		}
	}
	return set
}

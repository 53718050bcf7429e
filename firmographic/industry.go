package firmographic

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/strataseg/strata/segment"
)

// IndustryCount is a free-text industry value and the number of accounts
// holding it.
type IndustryCount struct {
	// Industry is the value as the first account holding it wrote it.
	Industry string `json:"industry"`
	// Accounts is the number of accounts holding it (in any spelling that
	// normalizes alike).
	Accounts int `json:"accounts"`
}

// IndustrySector returns the NAICS sector of a free-text industry value
// under the built-in table and t.Industries; ok is false when the value is
// not recognised.
func IndustrySector(industry string, t Tables) (s Sector, ok bool) {
	key := normalizeName(industry)
	if code, ok := t.Industries[industry]; ok {
		if i := tables.sectorIndex(code); i >= 0 {
			return tables.sectors[i], true
		}
	}
	for k, code := range t.Industries {
		if normalizeName(k) == key {
			if i := tables.sectorIndex(code); i >= 0 {
				return tables.sectors[i], true
			}
		}
	}
	if i, ok := tables.industries[key]; ok {
		return tables.sectors[i], true
	}
	return Sector{}, false
}

// UnmatchedIndustries walks accts once and lists the free-text industry
// values the sector dimension does not recognise, for the accounts whose
// sector comes from the text (no NAICS or SIC code in a sector), most
// frequent first (then alphabetically). Add the ones that matter to
// Tables.Industries; the rest stay "Sector unknown".
func UnmatchedIndustries(accts iter.Seq[segment.Account], t Tables) []IndustryCount {
	v := newVocab(t)
	counts := map[string]*IndustryCount{}
	for a := range accts {
		var f facts
		f.sector = -1
		v.readSector(&a, &f)
		if !f.industryBad {
			continue
		}
		key := normalizeName(a.Industry)
		c, ok := counts[key]
		if !ok {
			c = &IndustryCount{Industry: strings.TrimSpace(a.Industry)}
			counts[key] = c
		}
		c.Accounts++
	}
	out := make([]IndustryCount, 0, len(counts))
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, *counts[k])
	}
	slices.SortStableFunc(out, func(a, b IndustryCount) int { return b.Accounts - a.Accounts })
	return out
}

package segment

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/strataseg/strata/segment/cluster"
)

// Comparison is what [Compare] returns: how two segmentations of the same
// accounts agree, and where the accounts went.
type Comparison struct {
	// Accounts is the number of accounts in both segmentations.
	Accounts int `json:"accounts"`
	// AdjustedRand is the adjusted Rand index of the two segmentations over
	// those accounts (Hubert and Arabie 1985; see
	// [cluster.Contingency.AdjustedRand]): 1 when they group the accounts
	// alike whatever the segment IDs, near 0 when no more alike than
	// chance.
	AdjustedRand float64 `json:"adjusted_rand"`
	// NMI is their normalized mutual information (arithmetic mean
	// normalisation; see [cluster.Contingency.NMI]).
	NMI float64 `json:"nmi"`
	// Before and After are the segments of each segmentation, by ID, as
	// the first assignment to each has it: the rows and the columns of
	// Migration.
	Before []Segment `json:"before"`
	After  []Segment `json:"after"`
	// Migration[i][j] is the number of accounts in segment Before[i] before
	// and in After[j] after.
	Migration [][]int `json:"migration"`
	// Stayed counts the accounts whose segment ID is the same before and
	// after, and Moved the others.
	Stayed int `json:"stayed"`
	Moved  int `json:"moved"`
	// Flows lists every move from one segment to another of a different
	// ID, the largest first (ties by From, then To).
	Flows []Flow `json:"flows"`
	// OnlyBefore and OnlyAfter are the IDs of the accounts found in one
	// segmentation only (new or lost accounts), in the order given.
	OnlyBefore []string `json:"only_before,omitempty"`
	OnlyAfter  []string `json:"only_after,omitempty"`
}

// Flow is a number of accounts that moved from one segment to another.
type Flow struct {
	// From and To are the segment IDs before and after.
	From string `json:"from"`
	To   string `json:"to"`
	// Accounts is how many moved, and Share their share of the From
	// segment's accounts (among those in both segmentations).
	Accounts int     `json:"accounts"`
	Share    float64 `json:"share"`
}

// Compare compares two segmentations of the same accounts, such as the
// last refresh and this one: it matches the assignments by account ID and
// returns their agreement (adjusted Rand index and NMI) and the migration
// matrix, with the accounts that stayed, that moved and the flows between
// segments. Accounts in only one of the two are listed, not dropped.
//
// An assignment without account ID, or two assignments of one account in
// the same segmentation, give an error wrapping [ErrUnmatched]; no account
// in both, an error wrapping [ErrEmptyInput]. Compare never changes its
// inputs.
func Compare(before, after []Assignment) (*Comparison, error) {
	bIdx, err := cmpIndex("before", before)
	if err != nil {
		return nil, err
	}
	aIdx, err := cmpIndex("after", after)
	if err != nil {
		return nil, err
	}
	c := &Comparison{}
	rowSegs, rowOf := cmpSegments(before)
	colSegs, colOf := cmpSegments(after)
	var rows, cols []int
	for _, as := range before {
		j, ok := aIdx[as.AccountID]
		if !ok {
			c.OnlyBefore = append(c.OnlyBefore, as.AccountID)
			continue
		}
		rows = append(rows, rowOf[as.Segment.ID])
		cols = append(cols, colOf[after[j].Segment.ID])
		if as.Segment.ID == after[j].Segment.ID {
			c.Stayed++
		} else {
			c.Moved++
		}
	}
	for _, as := range after {
		if _, ok := bIdx[as.AccountID]; !ok {
			c.OnlyAfter = append(c.OnlyAfter, as.AccountID)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("segment: compare: no account is in both segmentations (%d before, %d after): %w", len(before), len(after), ErrEmptyInput)
	}
	tab, err := cluster.ContingencyTable(rows, cols)
	if err != nil {
		return nil, fmt.Errorf("segment: compare: %w", err)
	}
	c.Accounts = tab.N
	c.AdjustedRand = tab.AdjustedRand()
	c.NMI = tab.NMI()

	// The table lists only the labels seen among matched accounts; the
	// migration matrix has every segment of either side.
	c.Before, c.After = rowSegs, colSegs
	c.Migration = make([][]int, len(rowSegs))
	for i := range c.Migration {
		c.Migration[i] = make([]int, len(colSegs))
	}
	for i, r := range tab.RowLabels {
		for j, col := range tab.ColLabels {
			c.Migration[r][col] = tab.Counts[i][j]
		}
	}
	rowSums := make([]int, len(rowSegs))
	for i, row := range c.Migration {
		for _, v := range row {
			rowSums[i] += v
		}
	}
	for i, row := range c.Migration {
		for j, v := range row {
			if v > 0 && rowSegs[i].ID != colSegs[j].ID {
				c.Flows = append(c.Flows, Flow{From: rowSegs[i].ID, To: colSegs[j].ID, Accounts: v, Share: float64(v) / float64(rowSums[i])})
			}
		}
	}
	slices.SortFunc(c.Flows, func(x, y Flow) int {
		if d := cmp.Compare(y.Accounts, x.Accounts); d != 0 {
			return d
		}
		if d := strings.Compare(x.From, y.From); d != 0 {
			return d
		}
		return strings.Compare(x.To, y.To)
	})
	return c, nil
}

// cmpIndex maps each account ID of a segmentation to its position.
func cmpIndex(side string, as []Assignment) (map[string]int, error) {
	idx := make(map[string]int, len(as))
	var dups []string
	for i := range as {
		id := as[i].AccountID
		if id == "" {
			return nil, fmt.Errorf("segment: compare: assignment %d %s has no account ID: %w", i+1, side, ErrUnmatched)
		}
		if _, dup := idx[id]; dup {
			dups = append(dups, id)
			continue
		}
		idx[id] = i
	}
	if len(dups) > 0 {
		return nil, fmt.Errorf("segment: compare: accounts %s are assigned more than once %s: %w", profListIDs(dups), side, ErrUnmatched)
	}
	return idx, nil
}

// cmpSegments returns the segments of a segmentation sorted by ID and the
// position of each ID.
func cmpSegments(as []Assignment) ([]Segment, map[string]int) {
	first := map[string]Segment{}
	for i := range as {
		if _, ok := first[as[i].Segment.ID]; !ok {
			first[as[i].Segment.ID] = as[i].Segment
		}
	}
	ids := profSortedKeys(first)
	segs := make([]Segment, len(ids))
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		segs[i] = first[id]
		pos[id] = i
	}
	return segs, pos
}

// WriteText writes the comparison as plain text: the agreement, the
// migration matrix (rows before, columns after) and the largest flows (at
// most 10).
func (c *Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "accounts in both: %s (%s stayed, %s moved); adjusted Rand %.3f, NMI %.3f\n",
		profGroupInt(c.Accounts), profGroupInt(c.Stayed), profGroupInt(c.Moved), c.AdjustedRand, c.NMI)
	if n1, n2 := len(c.OnlyBefore), len(c.OnlyAfter); n1+n2 > 0 {
		fmt.Fprintf(&b, "accounts only before: %s, only after: %s\n", profGroupInt(n1), profGroupInt(n2))
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	cells := []string{"before \\ after"}
	for _, s := range c.After {
		cells = append(cells, s.ID)
	}
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
	for i, s := range c.Before {
		cells = append(cells[:0], s.ID)
		for _, v := range c.Migration[i] {
			cells = append(cells, profGroupInt(v))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, f := range c.Flows {
		if i == 10 {
			break
		}
		fmt.Fprintf(&b, "%s → %s: %s (%s)\n", f.From, f.To, profGroupInt(f.Accounts), profPercent(f.Share))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

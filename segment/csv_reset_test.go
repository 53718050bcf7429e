package segment

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// csvRow is what a Read gave, in a form to compare.
type csvRow struct {
	Row, Line int
	Record    []string
	Account   string // JSON
	Err       string
}

// readRows reads the rest of r's rows, adding rowBase to their row numbers
// (in the errors too).
func readRows(t *testing.T, r *CSVReader, rowBase int) []csvRow {
	t.Helper()
	var rows []csvRow
	for {
		a, err := r.Read()
		if err == io.EOF {
			return rows
		}
		row := csvRow{Row: rowBase + r.Row(), Line: r.Line(), Record: append([]string(nil), r.Record()...)}
		if err != nil {
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "row %d: %v", r.Row(), err)
			forEachFieldError(err, func(fe *FieldError) {
				assert.Equal(t, r.Row(), fe.Row, "the error's row")
				fe.Row += rowBase
			})
			row.Err = err.Error()
		} else {
			b, jerr := json.Marshal(a)
			require.NoError(t, jerr)
			row.Account = string(b)
		}
		rows = append(rows, row)
	}
}

// resetInput is a file whose rows hold good and bad values, quoted line
// breaks, CRLF, an empty line, a stray quote and a final row without a line
// break.
const resetInput = "Account ID,\"Account\nName\",Employees,Annual Revenue,Billing Country,Lifecycle Stage,Type,Technologies,Converted,Notes\r\n" +
	"1,\"Acme, Inc.\",\"1,200\",$5.2M,USA,Sales Qualified Lead,B2B,\"AWS; Salesforce\",yes,\r\n" +
	"2,\"Two\nlines\",85,€5.2M,Germany,lead,b2c,\"HubSpot, Zendesk\",no,x\n" +
	"3,Bad \"quote\",1,1,US,lead,B2B,,,\n" +
	"\n" +
	"4,Negative,-5,1,DE,customer,B2G,,,\n" +
	"5,Unknown,N/A,unknown,Atlantis,opp,Public,,maybe,\n" +
	"6,Extra,10,,GB,,,,,,surplus\n" +
	"7,Short,10\n" +
	"8,\"Quoted \"\"name\"\"\",1001 - 5000,$1M-$10M,uk,MQL,B2B,SAP,y,\"multi\r\nline\"\n" +
	"9,\"unterminated,5,1,US,lead,B2B,,,\n" +
	"10,after,5,1,US,lead,B2B,,,\n" +
	"11,Last,7,,FR,churned,B2B,AWS,no,"

// TestCSVReaderReset reads a file with one reader, then cut into pieces of
// whole rows, each read by the same reader Reset with the lines before it:
// the rows, lines, records, accounts and errors are the same.
func TestCSVReaderReset(t *testing.T) {
	for _, input := range []string{resetInput, salesforceFixture(t)} {
		data := []byte(input)
		whole, err := NewCSVReader(bytes.NewReader(data), CSVMapping{})
		require.NoError(t, err)
		want := readRows(t, whole, 0)
		require.NotEmpty(t, want)

		// The byte offset where each line begins.
		lineStart := []int{0, 0} // lines are 1-based
		for i, c := range data {
			if c == '\n' {
				lineStart = append(lineStart, i+1)
			}
		}
		headerLines := want[0].Line - 1
		for _, step := range []int{1, 2, 3, len(want)} {
			t.Run(fmt.Sprintf("rows=%d/step=%d", len(want), step), func(t *testing.T) {
				r, err := NewCSVReader(bytes.NewReader(data[:lineStart[headerLines+1]]), CSVMapping{})
				require.NoError(t, err)
				var got []csvRow
				for first := 0; first < len(want); first += step {
					from := lineStart[want[first].Line]
					to := len(data)
					if first+step < len(want) {
						to = lineStart[want[first+step].Line]
					}
					r.Reset(bytes.NewReader(data[from:to]), want[first].Line-1)
					got = append(got, readRows(t, r, first)...)
				}
				assert.Equal(t, want, got)
			})
		}
	}
}

func salesforceFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/salesforce_accounts.csv")
	require.NoError(t, err)
	return string(b)
}

func TestCSVReaderResetState(t *testing.T) {
	m := CSVMapping{Comma: ";"}
	r, err := NewCSVReader(strings.NewReader("id;employees;country\n1;\"1,5\";DE\n2;3;FR\n"), m)
	require.NoError(t, err)
	for range r.All() {
	}
	require.Error(t, r.Err(), "All stops at the bad row")
	assert.Equal(t, 1, r.Row())

	r.Reset(strings.NewReader("7;12;US\n8;x\"y;US\n"), 10)
	assert.NoError(t, r.Err(), "Reset clears the error of All")
	assert.Equal(t, 0, r.Row())
	assert.Nil(t, r.Record())
	assert.Equal(t, []string{"id", "employees", "country"}, r.Header(), "the header is kept")

	a, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, "7", a.ID, "the separator is kept")
	assert.Equal(t, N(12), a.Employees)
	assert.Equal(t, 1, r.Row())
	assert.Equal(t, 11, r.Line())

	_, err = r.Read()
	var pe *csv.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 12, pe.Line, "the parse error counts the lines before the text")
	assert.Equal(t, 12, r.Line())
	assert.Equal(t, 2, r.Row())

	_, err = r.Read()
	assert.ErrorIs(t, err, io.EOF)

	// A reader at the end of its text reads again after Reset.
	r.Reset(strings.NewReader("9;4;GB"), 0)
	a, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, "9", a.ID)
	assert.Equal(t, 1, r.Line())
}

// A file cut into pieces of whole rows, as a parallel reader cuts it: one
// reader resolves the header once and reads each piece after Reset, with
// the lines before the piece so that errors name the file's lines.
func ExampleCSVReader_Reset() {
	header := "Account ID,Employees,Billing Country\n"
	pieces := []string{"1,\"1,200\",Germany\n2,85,FR\n", "3,-4,US\n4,12,UK\n"}
	r, err := NewCSVReader(strings.NewReader(header), CSVMapping{})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines := 1 // the header's
	for _, p := range pieces {
		r.Reset(strings.NewReader(p), lines)
		for {
			a, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fmt.Printf("line %d: %v\n", r.Line(), err) // rows count within the piece
				continue
			}
			fmt.Printf("line %d: %s %v %s\n", r.Line(), a.ID, a.Employees, a.Country)
		}
		lines += strings.Count(p, "\n")
	}
	// Output:
	// line 2: 1 1200 DE
	// line 3: 2 85 FR
	// line 4: account "3" (row 1): field "Employees": is negative (-4)
	// line 5: 4 12 GB
}

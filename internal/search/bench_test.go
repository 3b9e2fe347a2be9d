package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The synthetic corpus: 50,000 notes of 200 to 400 words (300 on average,
// about 2.6 KB), Hinglish-style, drawn with a fixed seed from a vocabulary of
// common English and Hindi words plus made-up rarer words in both scripts,
// with Zipf-like frequencies so that a few words are everywhere and most are
// rare, as in real notes. A Latin word that starts a sentence is capitalised.
const (
	corpusNotes = 50_000
	noteWords   = 300
)

var commonEnglish = strings.Fields(`the a and to of in was is for with that client reported felt feeling
session therapy anxiety anxious sleep mood low stress work family mother father sister brother partner
husband wife children school exam office panic attack breathing exercise homework review plan goals
progress week weeks days night morning evening better worse improved discussed explored noticed thoughts
thinking worry worried fear sad sadness anger angry guilt shame lonely support friends relationship
conflict boundaries self esteem confidence motivation energy appetite medication doctor psychiatrist
referral follow up next appointment cbt dbt mindfulness journaling grounding technique cognitive
distortion catastrophising avoidance exposure hierarchy trigger coping skills strategies values
acceptance commitment grief loss trauma memories flashbacks nightmares safety risk assessment denied
suicidal ideation intent plan protective factors hopeful tired overwhelmed calm relaxed motivated`)

var commonHindi = strings.Fields(`और है के में की को से था थी हैं नहीं बहुत आज कल रात दिन घर परिवार माँ पिता
बहन भाई पति पत्नी बच्चे काम ऑफिस चिंता तनाव डर गुस्सा दुख अकेलापन नींद भूख थकान मन दिल दिमाग सोच
बात बातें समझ मदद परेशान परेशानी खुश उदास शांत अच्छा बुरा बेहतर ठीक सकता सकती लगता लगती महसूस
कोशिश अभ्यास साँस ध्यान योग दवाई डॉक्टर सत्र अगला हफ्ता रिश्ता झगड़ा शादी पढ़ाई परीक्षा नौकरी पैसा`)

var (
	latinSyllables = strings.Fields("ka ri mo na shi ta ve lo pra dh an ex ur ba co ni ga ma ru sa te li pe di vo")
	hindiSyllables = strings.Fields("क कि का र री मो न नि ता ते व ल प्र ध स सु म मा ग गु द दी ज ह श")
)

var corpus = sync.OnceValue(func() []Doc { return makeCorpus(corpusNotes, 1) })

type vocabulary struct {
	words []string
	zipf  *rand.Zipf
}

func newVocabulary(r *rand.Rand) *vocabulary {
	seen := map[string]bool{}
	var words []string
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	// Interleave the two languages so both have frequent words.
	for i := range max(len(commonEnglish), len(commonHindi)) {
		if i < len(commonEnglish) {
			add(commonEnglish[i])
		}
		if i < len(commonHindi) {
			add(commonHindi[i])
		}
	}
	for len(words) < 40_000 {
		syl := latinSyllables
		if r.IntN(3) == 0 {
			syl = hindiSyllables
		}
		var sb strings.Builder
		for range 2 + r.IntN(3) {
			sb.WriteString(syl[r.IntN(len(syl))])
		}
		add(sb.String())
	}
	return &vocabulary{words: words, zipf: rand.NewZipf(r, 1.07, 2, uint64(len(words)-1))}
}

func (v *vocabulary) word() string { return v.words[v.zipf.Uint64()] }

func makeCorpus(n int, seed uint64) []Doc {
	r := rand.New(rand.NewPCG(seed, 42))
	v := newVocabulary(r)
	base := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	docs := make([]Doc, n)
	var sb strings.Builder
	for i := range docs {
		sb.Reset()
		capital := true
		for range noteWords - 100 + r.IntN(201) {
			w := v.word()
			if capital && w[0] >= 'a' && w[0] <= 'z' {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			sb.WriteString(w)
			capital = false
			switch r.IntN(12) {
			case 0:
				sb.WriteString(". ")
				capital = true
			case 1:
				sb.WriteString("। ")
			case 2:
				sb.WriteString(", ")
			default:
				sb.WriteByte(' ')
			}
		}
		docs[i] = Doc{
			ID:       fmt.Sprintf("note-%06d", i),
			Kind:     KindNote,
			ClientID: "client-" + strconv.Itoa(i%700),
			Title:    v.word() + " " + v.word() + " " + v.word(),
			Body:     sb.String(),
			At:       base.Add(time.Duration(i) * 37 * time.Minute),
		}
	}
	return docs
}

// benchQueries returns a fixed mix of one- to three-word queries, some with
// the last word cut short as if still being typed.
func benchQueries(n int) []string {
	r := rand.New(rand.NewPCG(7, 7))
	v := newVocabulary(rand.New(rand.NewPCG(1, 42))) // the corpus's vocabulary
	v.zipf = rand.NewZipf(r, 1.07, 2, uint64(len(v.words)-1))
	qs := make([]string, n)
	for i := range qs {
		words := make([]string, 1+r.IntN(3))
		for j := range words {
			words[j] = v.word()
		}
		if last := []rune(words[len(words)-1]); len(last) > 2 && r.IntN(2) == 0 {
			words[len(words)-1] = string(last[:1+r.IntN(len(last)-1)])
		}
		qs[i] = strings.Join(words, " ")
	}
	return qs
}

func buildCorpus(b *testing.B) *Index {
	b.Helper()
	ix := New()
	if err := ix.Build(context.Background(), All(corpus()), 0); err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkBuild50k reports the wall and CPU time of building the index of
// 50,000 notes on every core, and, measured just before each build in the
// same iteration, the time to fold every word of the same notes on as many
// goroutines: a floor for any index of this text, and a baseline that rises
// and falls with the machine's load as the build does. build/fold is the
// ratio of the two.
func BenchmarkBuild50k(b *testing.B) {
	docs := corpus()
	var bytes int64
	for _, d := range docs {
		bytes += int64(len(d.Title) + len(d.Body))
	}
	b.SetBytes(bytes)
	workers := runtime.NumCPU()
	var build, fold, cpu time.Duration
	for b.Loop() {
		start := time.Now()
		foldAll(docs, workers)
		fold += time.Since(start)

		cpu0, start := cpuTime(), time.Now()
		ix := New()
		if err := ix.Build(context.Background(), All(docs), workers); err != nil {
			b.Fatal(err)
		}
		build += time.Since(start)
		cpu += cpuTime() - cpu0
		if ix.Len() != len(docs) {
			b.Fatalf("Len = %d, want %d", ix.Len(), len(docs))
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(build.Milliseconds())/n, "ms/build")
	// CPU time says what the build costs when other processes share the
	// machine and wall time does not.
	b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms/build")
	b.ReportMetric(float64(fold.Milliseconds())/n, "fold-ms")
	b.ReportMetric(float64(build)/float64(fold), "build/fold")
}

// foldAll folds every word of docs on workers goroutines, keeping nothing.
func foldAll(docs []Doc, workers int) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var s scanner
			words := 0
			count := func([]byte, int, int) { words++ }
			for i := w; i < len(docs); i += workers {
				s.scan(validUTF8(docs[i].Title), count)
				s.scan(validUTF8(docs[i].Body), count)
			}
			runtime.KeepAlive(words)
		})
	}
	wg.Wait()
}

func BenchmarkQuery(b *testing.B) {
	ix := buildCorpus(b)
	qs := benchQueries(1000)

	// p95 over one pass of the fixed queries, each timed alone.
	lat := make([]time.Duration, len(qs))
	hits := 0
	for i, q := range qs {
		start := time.Now()
		hits += len(ix.Search(Query{Text: q}))
		lat[i] = time.Since(start)
	}
	slices.Sort(lat)
	p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
	if hits == 0 {
		b.Fatal("no query found anything")
	}

	b.ResetTimer()
	i := 0
	for b.Loop() {
		ix.Search(Query{Text: qs[i%len(qs)]})
		i++
	}
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkMemory50k reports the heap held after building the 50,000-note
// index (the notes' text included, which the index keeps for snippets), the
// part of it that the index adds on top of the text, and the process's
// resident set after the build and at its peak during the build.
func BenchmarkMemory50k(b *testing.B) {
	docs := corpus()
	var text int64
	for _, d := range docs {
		text += int64(len(d.ID) + len(d.ClientID) + len(d.Title) + len(d.Body))
	}
	for b.Loop() {
		debug.FreeOSMemory()
		resetPeak()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ix := buildCorpus(b)
		debug.FreeOSMemory()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(ix)
		runtime.KeepAlive(docs)
		b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MB")
		b.ReportMetric(float64(text)/(1<<20), "text-MB")
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "index-MB")
		if rss, hwm := procMemory(); rss > 0 {
			b.ReportMetric(rss, "rss-MB")
			b.ReportMetric(hwm, "peak-rss-MB")
		}
	}
}

// resetPeak resets the kernel's record of the peak resident set (Linux), so
// that the peak reported is the build's and not the corpus generator's.
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procMemory returns the current and peak resident set in MB, on Linux.
func procMemory() (rss, hwm float64) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(status)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

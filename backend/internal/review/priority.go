package review

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Priority (DESIGN.md §5, README "Review queues"): items are claimed in order
// of rank_at = due_at − bonus, earliest first, ties by id.
//
// due_at is created_at + the SLA of the item's sensitivity, so SLA time left
// dominates (and among equal SLAs the older item is first). The bonus moves
// an item ahead by a bounded number of minutes for what makes it riskier:
//
//	sensitivity   critical 60, high 30, medium 10, low 0
//	impact tags   15 each of pipeline, forecast, commission, attribution,
//	              identifier, pii, consent (at most 45)
//	validator flags 20 each (at most 60)
//	record value  10 at ≥ 10,000, 25 at ≥ 100,000, 40 at ≥ 1,000,000
//	confidence    20 below 0.5, 10 below 0.7
//
// and the bonus is at most maxBonus (2 h): an item due more than two hours
// before another is always offered first, whatever the other's risk.
const maxBonus = 120

var sensitivityBonus = map[string]int{"critical": 60, "high": 30, "medium": 10, "low": 0}

var impactTags = []string{"pipeline", "forecast", "commission", "attribution", "identifier", "pii", "consent"}

// DefaultSLA is the SLA of each sensitivity unless the queue or the field's
// policy says otherwise.
var DefaultSLA = map[string]int{"critical": 240, "high": 480, "medium": 1440, "low": 2880}

// Factor is one reason for an item's place: minutes it moves the item ahead.
type Factor struct {
	Factor  string `json:"factor"`
	Minutes int    `json:"minutes"`
	Text    string `json:"text"`
}

// Scored is an item's deadline, claim order and the explanation of both.
type Scored struct {
	DueAt, RankAt time.Time
	Why           []Factor
}

// Score computes an item's deadline and rank.
func Score(it NewItem, slaMinutes int) Scored {
	due := it.CreatedAt.Add(time.Duration(slaMinutes) * time.Minute)
	why := []Factor{{Factor: "sla", Minutes: 0, Text: fmt.Sprintf("%s SLA: due %s", it.Sensitivity, humanMinutes(slaMinutes))}}
	add := func(factor string, minutes int, text string) {
		if minutes > 0 {
			why = append(why, Factor{Factor: factor, Minutes: minutes, Text: text})
		}
	}
	add("sensitivity", sensitivityBonus[it.Sensitivity], it.Sensitivity+" field")
	tags, names := 0, []string{}
	for _, t := range it.Tags {
		if slices.Contains(impactTags, t) && !slices.Contains(names, t) {
			tags += 15
			names = append(names, t)
		}
	}
	if len(names) > 0 {
		add("tags", min(tags, 45), "impact: "+strings.Join(names, ", "))
	}
	if it.Flags > 0 {
		add("flags", min(20*it.Flags, 60), fmt.Sprintf("%d validator flag(s)", it.Flags))
	}
	if v := it.RecordValue; v != nil && !math.IsNaN(*v) {
		switch a := math.Abs(*v); {
		case a >= 1e6:
			add("value", 40, fmt.Sprintf("record value %.0f", *v))
		case a >= 1e5:
			add("value", 25, fmt.Sprintf("record value %.0f", *v))
		case a >= 1e4:
			add("value", 10, fmt.Sprintf("record value %.0f", *v))
		}
	}
	switch {
	case it.Confidence < 0.5:
		add("confidence", 20, fmt.Sprintf("low confidence %.2f", it.Confidence))
	case it.Confidence < 0.7:
		add("confidence", 10, fmt.Sprintf("low confidence %.2f", it.Confidence))
	}
	bonus := 0
	for _, f := range why {
		bonus += f.Minutes
	}
	if bonus > maxBonus {
		why = append(why, Factor{Factor: "cap", Minutes: maxBonus - bonus, Text: "risk moves an item at most 2 h ahead"})
		bonus = maxBonus
	}
	return Scored{DueAt: due, RankAt: due.Add(-time.Duration(bonus) * time.Minute), Why: why}
}

// SLA states of a pending item.
const (
	OnTrack  = "on_track"
	AtRisk   = "at_risk"
	Breached = "breached"
)

// SLAState is on_track, at_risk (less than 25 % of the SLA left) or breached.
func SLAState(createdAt, dueAt, now time.Time) string {
	left := dueAt.Sub(now)
	switch {
	case left <= 0:
		return Breached
	case left*4 < dueAt.Sub(createdAt):
		return AtRisk
	}
	return OnTrack
}

// Expires reports whether a pending item expires now: at twice its SLA, a
// high or critical item is rejected as expired (when its queue says so); low
// and medium items stay pending, however late.
func Expires(sensitivity string, createdAt, dueAt, now time.Time, queueExpires bool) bool {
	if !queueExpires || (sensitivity != "high" && sensitivity != "critical") {
		return false
	}
	return !now.Before(createdAt.Add(2 * dueAt.Sub(createdAt)))
}

func humanMinutes(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("in %d h", m/60)
	}
	return fmt.Sprintf("in %d min", m)
}

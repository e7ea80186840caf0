package fieldvalue

import (
	"math"
	"strconv"
	"strings"
)

// parseNumber reads a finite number: a JSON number, or text in plain decimal
// or exponent notation ("1200.50", "1e3", "-0.5"); a percentage may end in
// "%". Hex, "NaN", "Inf", thousands separators and currency symbols are
// refused, and so is text with more significant digits than a float64 keeps
// (the CRM would store another number than the one written).
func parseNumber(s Spec, v any) (Value, *Error) {
	var f float64
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) {
			return Value{}, errorf(CodeNotANumber, "is NaN, which is not a number")
		}
		if math.IsInf(x, 0) {
			return Value{}, errorf(CodeNotFinite, "is infinite; a number must be finite")
		}
		f = x
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return Value{}, nil
		}
		if s.Kind == KindPercent && len(t) > 1 {
			t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
		}
		var err *Error
		if f, err = parseDecimal(t); err != nil {
			return Value{}, err
		}
	default:
		return Value{}, wrongType(s.Kind, v)
	}
	if f == 0 {
		f = 0 // -0 is 0
	}
	if err := checkDigits(s, f); err != nil {
		return Value{}, err
	}
	return Value{text: formatNumber(f), num: f}, nil
}

// parseDecimal reads decimal text exactly as written, or says why not.
func parseDecimal(t string) (float64, *Error) {
	if !isDecimal(t) {
		low := strings.ToLower(strings.TrimLeft(t, "+-"))
		if low == "inf" || low == "infinity" {
			return 0, errorf(CodeNotFinite, "%s is infinite; a number must be finite", quote(t))
		}
		return 0, errorf(CodeNotANumber, "%s is not a number (write digits with an optional . and exponent, e.g. 1200.50 or 1.2e3)", quote(t))
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, errorf(CodeOutOfRange, "%s is larger than a number field holds", quote(t))
	}
	if digits, exp := normalDecimal(t); f == 0 && digits != "" {
		return 0, errorf(CodeTooPrecise, "%s is too close to zero for a number field", quote(t))
	} else if d2, e2 := normalDecimal(strconv.FormatFloat(f, 'e', -1, 64)); digits != d2 || exp != e2 {
		return 0, errorf(CodeTooPrecise, "%s has more significant digits than a number field keeps (it would be stored as %s)", quote(t), formatNumber(f))
	}
	return f, nil
}

// isDecimal: [+-] digits [. digits] [(e|E) [+-] digits], with digits on at
// least one side of the point.
func isDecimal(t string) bool {
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	n := digitsAt(t, i)
	i += n
	if i < len(t) && t[i] == '.' {
		m := digitsAt(t, i+1)
		i += 1 + m
		n += m
	}
	if n == 0 {
		return false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		m := digitsAt(t, i)
		if m == 0 {
			return false
		}
		i += m
	}
	return i == len(t)
}

func digitsAt(t string, i int) int {
	n := 0
	for i+n < len(t) && t[i+n] >= '0' && t[i+n] <= '9' {
		n++
	}
	return n
}

// normalDecimal writes valid decimal text t as significant digits d (no
// leading or trailing zeros) and exponent e with |t| = 0.d × 10^e, so two
// texts of the same number give the same pair. Zero is ("", 0). An exponent
// too long to read saturates: such a number is out of range anyway.
func normalDecimal(t string) (string, int) {
	t = strings.TrimLeft(t, "+-")
	mant, expText, _ := strings.Cut(strings.ToLower(t), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	exp := 0
	if expText != "" {
		sign := 1
		if expText[0] == '+' || expText[0] == '-' {
			if expText[0] == '-' {
				sign = -1
			}
			expText = expText[1:]
		}
		expText = strings.TrimLeft(expText, "0")
		if len(expText) > 9 {
			expText = "999999999"
		}
		n, _ := strconv.Atoi(expText)
		exp = sign * n
	}
	digits := intPart + frac
	exp += len(intPart)
	trimmed := strings.TrimLeft(digits, "0")
	exp -= len(digits) - len(trimmed)
	trimmed = strings.TrimRight(trimmed, "0")
	if trimmed == "" {
		return "", 0
	}
	return trimmed, exp
}

// checkDigits applies the catalog's precision and scale, when it knows them.
func checkDigits(s Spec, f float64) *Error {
	if s.Precision <= 0 {
		return nil
	}
	intPart, frac, _ := strings.Cut(strconv.FormatFloat(math.Abs(f), 'f', -1, 64), ".")
	if len(frac) > s.Scale {
		if s.Scale == 0 {
			return errorf(CodeTooPrecise, "must be a whole number; %s has decimals", formatNumber(f))
		}
		return errorf(CodeTooPrecise, "%s has %d decimal places; the field keeps at most %d", formatNumber(f), len(frac), s.Scale)
	}
	if intPart == "0" {
		intPart = ""
	}
	if max := s.Precision - s.Scale; len(intPart) > max {
		return errorf(CodeOutOfRange, "%s has %d digits before the decimal point; the field holds at most %d", formatNumber(f), len(intPart), max)
	}
	return nil
}

// formatNumber writes a number as JavaScript does: plain decimals between
// 1e-6 and 1e21, exponent notation outside; the shortest text that reads back
// as the same float64.
func formatNumber(f float64) string {
	if a := math.Abs(f); a != 0 && (a >= 1e21 || a < 1e-6) {
		mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
		return mant + "e" + exp[:1] + strings.TrimLeft(exp[1:], "0") // Go pads "e-07"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

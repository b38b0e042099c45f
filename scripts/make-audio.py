#!/usr/bin/env python3
"""Builds the queue audio in assets/audio/ from nothing but code (scripts/make-audio.sh).

greeting.wav: espeak-ng speech (GPL tool, its output is ours), or, without espeak-ng, a
three-note chime. music-on-hold.wav: an original bell melody over a soft pad, synthesised
here. Both are 8 kHz mono G.711 u-law WAV (8 KB per second), what a call plays without
resampling. Deterministic: the same inputs give the same bytes.
"""
import math
import os
import struct
import subprocess
import sys
import tempfile
import wave

RATE = 8000


def ulaw(sample):
    """G.711 u-law of a 16-bit sample (the reference algorithm, bias 0x84)."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(-sample if sample < 0 else sample, 32635) + 0x84
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def write_ulaw_wav(path, samples):
    data = bytes(ulaw(max(-32768, min(32767, int(round(s))))) for s in samples)
    fmt = struct.pack("<HHIIHHH", 7, 1, RATE, RATE, 1, 8, 0)  # cbSize 0: non-PCM formats
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
    print(f"{path}: {len(samples) / RATE:.1f} s, {os.path.getsize(path)} bytes")


def resample(samples, rate_in):
    """To 8 kHz: a windowed-sinc low-pass at 3.6 kHz evaluated at each output instant."""
    ratio = rate_in / RATE
    cutoff = 3600 / rate_in
    half = 24
    out = []
    for n in range(int(len(samples) / ratio)):
        centre = n * ratio
        first = int(centre) - half
        acc = 0.0
        for k in range(first, first + 2 * half + 1):
            if 0 <= k < len(samples):
                x = k - centre
                sinc = 2 * cutoff if x == 0 else math.sin(2 * math.pi * cutoff * x) / (math.pi * x)
                window = 0.5 + 0.5 * math.cos(math.pi * x / (half + 1))
                acc += samples[k] * sinc * window
        out.append(acc)
    return out


def normalise(samples, peak=0.7 * 32767):
    top = max(abs(s) for s in samples) or 1
    return [s * peak / top for s in samples]


def bell(freq, seconds, amplitude):
    """A struck bell: a few inharmonic partials, each decaying exponentially."""
    partials = [(1.0, 1.0, 3.0), (2.0, 0.5, 4.5), (2.76, 0.3, 6.0), (5.4, 0.12, 9.0)]
    n = int(seconds * RATE)
    return [amplitude * sum(a * math.exp(-d * i / RATE) * math.sin(2 * math.pi * freq * m * i / RATE)
                            for m, a, d in partials) * min(1.0, i / 40)
            for i in range(n)]


def mix_into(track, sound, at_seconds):
    start = int(at_seconds * RATE)
    for i, s in enumerate(sound):
        if start + i < len(track):
            track[start + i] += s


def note(name):
    names = {"C": -9, "D": -7, "E": -5, "G": -2, "A": 0}
    octave = int(name[-1])
    return 440.0 * 2 ** ((names[name[0]] + 12 * (octave - 4)) / 12)


def music_on_hold():
    """An original pentatonic tune: three phrases of bell notes over a slow two-chord pad."""
    beat = 0.5
    tune = ("E5 G5 A5 G5 E5 D5 C5 D5 E5 G5 E5 D5 C5 - - - "
            "A4 C5 D5 E5 G5 E5 D5 C5 D5 E5 D5 C5 A4 - - - "
            "C5 D5 E5 G5 E5 D5 C5 A4 C5 D5 C5 A4 C5 - - -").split()
    seconds = len(tune) * beat
    track = [0.0] * int(seconds * RATE)
    for i, n in enumerate(tune):
        if n != "-":
            mix_into(track, bell(note(n), 1.6, 5000), i * beat)
    # The pad: soft chord tones changing every two bars, faded in and out so the loop joins.
    chords = [("C4", "E4", "G4"), ("A3", "C4", "E4")]
    bar = 8 * beat
    for i in range(len(track)):
        t = i / RATE
        chord = chords[int(t / (2 * bar)) % 2]
        fade = min(1.0, t / 0.5, (seconds - t) / 0.5)
        track[i] += fade * sum(700 * math.sin(2 * math.pi * note(c) * t) for c in chord)
    return normalise(track, 0.5 * 32767)


def chime():
    track = [0.0] * int(2.5 * RATE)
    for i, n in enumerate(["C5", "E5", "G5"]):
        mix_into(track, bell(note(n), 1.5, 6000), 0.4 * i)
    return track


GREETING = ("Thank you for calling. All our agents are busy at the moment. "
            "Please stay on the line, and the next available agent will be with you shortly.")


def greeting():
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "speech.wav")
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", path, GREETING],
                           check=True)
            with wave.open(path) as w:
                assert w.getnchannels() == 1 and w.getsampwidth() == 2
                rate = w.getframerate()
                raw = w.readframes(w.getnframes())
            samples = [s for (s,) in struct.iter_unpack("<h", raw)]
            silence = [0.0] * (RATE // 2)
            return silence + normalise(resample(samples, rate)) + silence
    except FileNotFoundError:
        print("espeak-ng not installed (apt-get install espeak-ng): the greeting is a chime",
              file=sys.stderr)
        return chime()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "assets/audio"
    os.makedirs(out, exist_ok=True)
    write_ulaw_wav(os.path.join(out, "greeting.wav"), greeting())
    write_ulaw_wav(os.path.join(out, "music-on-hold.wav"), music_on_hold())


if __name__ == "__main__":
    main()

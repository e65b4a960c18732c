"""Particles after a word follow how the word ends when read aloud."""
import pytest

from bot.korean.josa import attach, final_sound, particle_for


@pytest.mark.parametrize("word, sound", [
    ("보건소", "vowel"), ("민원실", "rieul"), ("영사민원실", "rieul"), ("시청", "consonant"),
    ("정부24(www.gov.kr)", "vowel"), ("정부민원안내콜센터(☎ 110)", "vowel"),
    ("☎ 110", "consonant"), ("1599-0903", "consonant"), ("031-481-2000", "consonant"),
    ("1577", "rieul"), ("ARS", "vowel"), ("www.gov.kr", "rieul"), ("HTML", "rieul"),
    ("대법원 전자가족관계등록시스템(efamily.scourt.go.kr)", "consonant"), ("", None), ("…", None),
])
def test_final_sound(word, sound):
    assert final_sound(word) == sound


@pytest.mark.parametrize("word, written, expected", [
    ("보건소", "은", "는"), ("시청", "는", "은"), ("보건소", "이", "가"), ("시청", "가", "이"),
    ("보건소", "을", "를"), ("시청", "를", "을"), ("보건소", "과", "와"), ("시청", "와", "과"),
    ("보건소", "이나", "나"), ("시스템", "나", "이나"), ("보건소", "으로", "로"), ("시청", "로", "으로"),
    ("민원실", "으로", "로"), ("민원실", "로", "로"), ("민원실", "을", "을"),
    ("보건소", "이에요", "예요"), ("시청", "예요", "이에요"),
])
def test_particle_for(word, written, expected):
    assert particle_for(word, written) == expected


@pytest.mark.parametrize("word, following, expected", [
    ("대법원 전자가족관계등록시스템(efamily.scourt.go.kr)", "나 가까운 곳", "대법원 전자가족관계등록시스템(efamily.scourt.go.kr)이나 가까운 곳"),
    ("인천공항 영사민원실", "를 이용해요", "인천공항 영사민원실을 이용해요"),
    ("정부24(www.gov.kr)", "으로 신청해요", "정부24(www.gov.kr)로 신청해요"),
    ("상록수보건소", "과 단원보건소", "상록수보건소와 단원보건소"),
    ("시청", "으로는 안 돼요", "시청으로는 안 돼요"),
    ("보건소", "으로도 돼요", "보건소로도 돼요"),
    # Not particles: the start of a longer word, or no particle at all.
    ("보건소", "이용 시간", "보건소이용 시간"), ("보건소", "가까운 곳", "보건소가까운 곳"),
    ("보건소", "에서", "보건소에서"), ("보건소", "", "보건소"), ("보건소", ", 시청", "보건소, 시청"),
])
def test_attach(word, following, expected):
    assert attach(word, following) == expected

import { describe, expect, it } from 'vitest';
import { computeTable4, rowValue, type Table4Input } from '../../domain/tables/compute';
import { TABLE4_ROW_IDS, TABLE4_ROWS } from '../../domain/tables/table4';
import {
  campaign,
  EXPECTED_CITY,
  householdSurveys,
  officeSurvey,
  surveyOf,
  villageSurveys,
} from './table4.fixture';

const cityInput: Table4Input = { campaign, householdSurveys, villageSurveys, officeSurvey };
const city = computeTable4(TABLE4_ROWS, cityInput);

describe('表4 督查任务完成情况汇总表', () => {
  it('has one row per row of the plan, each with a unique id, in the plan order', () => {
    expect(new Set(TABLE4_ROW_IDS).size).toBe(TABLE4_ROW_IDS.length);
    expect(TABLE4_ROW_IDS.slice(0, 3)).toEqual(['t4_departments', 't4_people', 't4_towns']);
    expect(TABLE4_ROW_IDS.at(-1)).toBe('t4_outlook');
    // Every "其中" sub-row follows the row it belongs to.
    for (const def of TABLE4_ROWS.filter((r) => r.parent)) {
      expect(TABLE4_ROW_IDS.indexOf(def.parent!)).toBeLessThan(TABLE4_ROW_IDS.indexOf(def.id));
    }
  });

  it('gives every row of the constructed dataset its known non-zero value', () => {
    expect(Object.keys(EXPECTED_CITY).sort()).toEqual([...TABLE4_ROW_IDS].sort());
    for (const row of city.rows) {
      expect(row.value, row.id).toBe(EXPECTED_CITY[row.id]);
      expect(row.value, row.id).not.toBe(0);
    }
  });

  it('restricts the "其中:今年计划脱贫户" sub-rows to planned households', () => {
    expect(rowValue(city, 't4_two_worries_fail')).toBe(2);
    expect(rowValue(city, 't4_two_worries_fail_planned')).toBe(1);
    const sub = city.rows.find((r) => r.id === 't4_two_worries_fail_planned');
    expect(sub).toMatchObject({ label: '其中:今年计划脱贫户', unit: '户', parent: 't4_two_worries_fail' });
    expect(city.rows.find((r) => r.id === 't4_dropout_students_planned')?.unit).toBe('人');
  });

  it('does not count a non-poor household in the 八有一超 rows', () => {
    // 交东村王五 (non_poor) has not 不愁吃 but only 建档立卡户 are counted.
    const nonPoorOnly = computeTable4(TABLE4_ROWS, {
      campaign,
      householdSurveys: householdSurveys.filter((s) => s.answers.h1_name === '王五'),
      villageSurveys: [],
    });
    expect(rowValue(nonPoorOnly, 't4_two_worries_fail')).toBe(0);
    expect(rowValue(nonPoorOnly, 't4_households_non_poor')).toBe(1);
  });

  it('counts a name reported twice in one village once, and the same name in two villages twice', () => {
    // 河洲村: 王五 and 赵六 named by 林一, 王 五 again by 李四, and 李四 judged 漏评 → 3; 交东村: 王五 → 1.
    expect(rowValue(city, 't4_missed')).toBe(4);
    const hezhouOnly = computeTable4(TABLE4_ROWS, {
      campaign,
      householdSurveys: householdSurveys.filter((s) => s.villageId === 'hezhou'),
      villageSurveys: [],
    });
    expect(rowValue(hezhouOnly, 't4_missed')).toBe(3);
  });

  it('counts a household named by a neighbour and judged 漏评 itself once', () => {
    const named = surveyOf('household', 'malu', {
      h1_name: '甲',
      h1_type: 'registered_poor',
      h4_unlisted_hardship: 'yes',
      h4_unlisted_names: ['黄乙'],
      h4_unlisted_verified: 'yes',
    });
    const judged = surveyOf('household', 'malu', { h1_name: '黄乙', h1_type: 'non_poor', h5_missed: 'yes' });
    const t = computeTable4(TABLE4_ROWS, { campaign, householdSurveys: [named, judged], villageSurveys: [] });
    expect(rowValue(t, 't4_missed')).toBe(1);
  });

  it('counts a road not hardened only where the settlement has 20 or more households', () => {
    // 江那村陈二: road not hardened, settlement under 20 households → not counted.
    const chenEr = householdSurveys.filter((s) => s.answers.h1_name === '陈二');
    const t = computeTable4(TABLE4_ROWS, { campaign, householdSurveys: chenEr, villageSurveys: [] });
    expect(rowValue(t, 't4_no_road')).toBe(0);
    expect(rowValue(city, 't4_no_road')).toBe(2);
  });

  it('reports 返贫 beside 错退', () => {
    const row = city.rows.find((r) => r.id === 't4_wrongful_exit');
    expect(row?.value).toBe(1);
    expect(row?.aside).toEqual({ label: '另有疑似返贫户', unit: '户', value: 1 });
    expect(row?.note).toBe('另有疑似返贫户1户');
  });

  it('counts 十一有一低于 only over exited and planned villages', () => {
    // 河洲村 (未退出贫困村) fails every row too, yet no row reaches 3.
    for (const id of TABLE4_ROW_IDS.filter((i) => i.startsWith('t4_v_'))) {
      expect(rowValue(city, id), id).toBeLessThanOrEqual(2);
    }
  });

  it('takes the 综合研判 text into the note', () => {
    expect(city.rows.find((r) => r.id === 't4_outlook')).toMatchObject({
      value: '不能',
      note: '部分计划脱贫户住房尚未完工',
    });
  });

  it('leaves office rows empty without the office figures, and counts a town roster for its table', () => {
    const town = computeTable4(TABLE4_ROWS, {
      campaign,
      townId: 'dongxing',
      householdSurveys: householdSurveys.filter((s) => s.townId === 'dongxing'),
      villageSurveys: villageSurveys.filter((s) => s.townId === 'dongxing'),
    });
    expect(rowValue(town, 't4_fund_integration_plan')).toBeNull();
    expect(rowValue(town, 't4_o9_industry')).toBeNull();
    expect(rowValue(town, 't4_outlook')).toBeNull();
    // 第一组: 9 units (the deputy's unit among them); leader, deputy, 9 members and 2 江平镇 staff.
    expect(rowValue(town, 't4_departments')).toBe(9);
    expect(rowValue(town, 't4_people')).toBe(13);
    expect(rowValue(town, 't4_towns')).toBe(1);
    expect(rowValue(town, 't4_households')).toBe(7);
  });

  it('recomputes flags from the answers rather than trusting the flags stored at submission', () => {
    const mismatch = surveyOf('household', 'malu', {
      h1_name: '丙',
      h1_type: 'non_poor',
      h2_food: 'yes',
      h2_clothing: 'yes',
      h1_pop_actual: 3,
      h1_pop_registered: 2,
    });
    const stale = { ...mismatch, flags: [] };
    const t = computeTable4(TABLE4_ROWS, { campaign, householdSurveys: [stale], villageSurveys: [] });
    expect(rowValue(t, 't4_population_mismatch')).toBe(1);
  });
});
